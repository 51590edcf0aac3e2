# Issue 19, item 4: -Shard Auto (Kubernetes Indexed Jobs). The coverage over a fleet is in Examples.Tests.ps1 (the CronJob
# example's pods) and xunit ApplicationShardAutoTests; here: completion and the error when the variables are missing.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Saved = @{ JOB_COMPLETION_INDEX = $env:JOB_COMPLETION_INDEX; JOB_COMPLETIONS = $env:JOB_COMPLETIONS }
    Remove-Item env:JOB_COMPLETION_INDEX, env:JOB_COMPLETIONS -ErrorAction SilentlyContinue
    $script:App = Join-Path $TestDrive 'app.yaml'
    "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata:`n  name: web`n  namespace: argocd`n  annotations:`n    argocd-image-updater.argoproj.io/image-list: web=ghcr.io/acme/web:~1`nspec:`n  source:`n    repoURL: https://git.example.com/g.git`n    path: apps/web`n    helm: {}`n" | Set-Content $App
}

AfterAll { foreach ($name in $Saved.Keys) { if ($Saved[$name]) { Set-Item "env:$name" $Saved[$name] } else { Remove-Item "env:$name" -ErrorAction SilentlyContinue } } }

Describe '-Shard Auto' {
    It 'is offered by completion, first' {
        $completion = TabExpansion2 -inputScript 'Invoke-ImageUpdater -Shard ' -cursorColumn 'Invoke-ImageUpdater -Shard '.Length
        $completion.CompletionMatches[0].CompletionText | Should -Be 'Auto'
        $completion.CompletionMatches[0].ToolTip | Should -Match 'JOB_COMPLETION_INDEX'
    }

    It 'without JOB_COMPLETION_INDEX is an InvalidArgument error that says what to set, and nothing runs' {
        $err = { Invoke-ImageUpdater -Path $App -Shard Auto -WhatIf } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ShardAutoUnset,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'JOB_COMPLETION_INDEX'
        $err.Exception.Message | Should -Match 'completionMode: Indexed'
    }

    It 'with an index outside JOB_COMPLETIONS is an InvalidArgument error' {
        $env:JOB_COMPLETION_INDEX = '3'; $env:JOB_COMPLETIONS = '3'
        try { $err = { Invoke-ImageUpdater -Path $App -Shard Auto -WhatIf } | Should -Throw -PassThru }
        finally { Remove-Item env:JOB_COMPLETION_INDEX, env:JOB_COMPLETIONS }
        $err.FullyQualifiedErrorId | Should -BeLike 'ShardInvalid,*'
    }

    It 'with JOB_COMPLETION_INDEX=0 and JOB_COMPLETIONS=1 runs every Application' {
        $env:JOB_COMPLETION_INDEX = '0'; $env:JOB_COMPLETIONS = '1'
        try { $apps = @(Invoke-ImageUpdater -Path $App -Shard Auto -WhatIf -Verbose -ErrorAction SilentlyContinue 4>&1 6>$null | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Where-Object Message -Match '1 application\(s\) in shard 0/1') }
        finally { Remove-Item env:JOB_COMPLETION_INDEX, env:JOB_COMPLETIONS }
        $apps | Should -Not -BeNullOrEmpty
    }
}
