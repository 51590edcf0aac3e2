# Runs examples/demo.ps1 as a person would (a child pwsh with the built module) and checks what it prints.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Demo = Join-Path (Get-RepositoryRoot) 'examples/demo.ps1'

    function Invoke-Demo([string] $ModulePath) {
        $output = & (Get-PwshPath) -NoProfile -NonInteractive -File $Demo -ModulePath $ModulePath 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output | ForEach-Object { "$_" }) -join "`n" }
    }
}

Describe 'examples/demo.ps1' {
    BeforeAll {
        $script:tempBefore = @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'imageupdater-demo-*' -Directory -ErrorAction SilentlyContinue).Name
        $script:run = Invoke-Demo (Get-TestModulePath)
    }

    It 'exits 0 within a minute and prints its headings without errors or stack traces' {
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match '== 1\. An Amazon ECR repository'
        $run.Text | Should -Match '== 3\. Get-ArgoApplication -Path apps \| Find-EcrTag \| Update-HelmImageTag'
        $run.Text | Should -Match '== Done in \d+(\.\d)? s'
        $run.Text | Should -Not -Match 'Exception|at <ScriptBlock>|Demo failed'
    }

    It 'picks 1.5.0 for ^1.4 and says why' {
        $run.Text | Should -Match 'Why this tag: 6 tags: 1 pre-release .*2 outside \^1\.4, newest 1\.5\.0'
        $run.Text | Should -Match '(?m)^web\s+1\.4\.0\s+1\.5\.0\s+Updated\s+main\s+[0-9a-f]{10}\s+Pushed to main\.'
    }

    It 'shows the pushed commit: the Japanese message with the new tag, the author, and the one-line diff that keeps the comment' {
        $run.Text | Should -Match 'Author: Image Updater Demo <image-updater@example\.com>'
        $run.Text | Should -Match '(?m)^\s+イメージのタグを 1\.5\.0 に更新しました$'
        $run.Text | Should -Match '(?m)^-  tag: "1\.4\.0"  # the release we run$'
        $run.Text | Should -Match '(?m)^\+  tag: "1\.5\.0"  # the release we run$'
    }

    It 'changes nothing on the second run' {
        $run.Text | Should -Match '(?m)^web\s+1\.5\.0\s+1\.5\.0\s+Unchanged\s+main\s+.*nothing to commit\.'
        $run.Text | Should -Match 'Commits on main: 2 \(unchanged\)'
    }

    It 'removes its temporary folder and stops the emulator' {
        $left = @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'imageupdater-demo-*' -Directory -ErrorAction SilentlyContinue).Name | Where-Object { $_ -notin $tempBefore }
        $left | Should -BeNullOrEmpty
        $port = ([regex]::Match($run.Text, 'ECR API at http://127\.0\.0\.1:(\d+)/')).Groups[1].Value
        $port | Should -Not -BeNullOrEmpty
        { Invoke-RestMethod "http://127.0.0.1:$port/__emulator/stats" -TimeoutSec 2 } | Should -Throw
    }

    It 'fails with one line and exit code 1 when the module is not built' {
        $failed = Invoke-Demo (Join-Path $TestDrive 'no-module')
        $failed.ExitCode | Should -Be 1
        $failed.Text.Trim() | Should -Match '^Demo failed: No built module at .*run \./build\.ps1 first\.$'
    }
}
