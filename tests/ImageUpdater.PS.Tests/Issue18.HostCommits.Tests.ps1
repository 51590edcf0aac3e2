# Issue 18: commits through the Git host's API (-WriteBackTransport HostApi), through the GitHub, GitLab and Azure DevOps
# stand-ins, each backed by a real bare repository that the tests read with git.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $seed = Join-Path $TestDrive 'ecr-seed.json'
    '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200},{"tags":["1.2.0"],"pushedAt":1700000300},{"tags":["2.0.0"],"pushedAt":1700000400}]}]}' | Set-Content $seed
    $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAHOSTAPI000000001:hostapi-secret')
    $script:Aws = @{
        AccessKey   = 'AKIAHOSTAPI000000001'
        SecretKey   = ConvertTo-SecureString 'hostapi-secret' -AsPlainText -Force
        Region      = 'us-east-1'
        EndpointUrl = $Ecr.url
    }
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    $script:Token = 'hostapi-t0ken-value'
    $script:Hosts = [System.Collections.Generic.List[object]]::new()

    # A fleet of $Apps in a bare repository served by the $Kind stand-in; the manifests' repoURL names the stand-in's repository.
    function New-HostFleet([string] $Kind, [string[]] $Apps = @('a'), [string[]] $Options = @()) {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $fleet = New-GitOpsFleet -Root $root -Apps $Apps -Image "$EcrHost/team/web:1.x" -RepoUrl { 'http://repository.placeholder/' } `
            -Values { param($App) "# $App`nimage:`n  repository: web`n  tag: 1.0.0 # pinned by the updater`n" }
        $repo = if ($Kind -eq 'azuredevops') { 'proj/app' } else { 'org/app' }
        $emulator = Start-Emulator $Kind (@('--token', $Token, '--repo', $repo, '--bare', $fleet.Bare) + $Options)
        $Hosts.Add($emulator)
        $url = if ($Kind -eq 'azuredevops') { "$($emulator.url)org/proj/_git/app" } else { "$($emulator.url)org/app.git" }
        Get-ChildItem $fleet.Manifests -Filter *.yaml | ForEach-Object {
            (Get-Content $_.FullName -Raw).Replace('http://repository.placeholder/', $url) | Set-Content $_.FullName
        }
        $fleet | Add-Member -NotePropertyName Emulator -NotePropertyValue $emulator
        $fleet | Add-Member -NotePropertyName HostParameters -NotePropertyValue @{
            WriteBackTransport = 'HostApi'
            GitHost            = @{ github = 'GitHub'; gitlab = 'GitLab'; azuredevops = 'AzureDevOps' }[$Kind]
            GitHostUrl         = if ($Kind -eq 'gitlab') { "$($emulator.url)api/v4/" } else { $emulator.url }
            GitHostToken       = ConvertTo-SecureString $Token -AsPlainText -Force
            WorkingDirectory   = $fleet.Cache
        }
        $fleet
    }

    function Get-Results { process { if ($_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult') { $_ } } }
    function Get-Head($Fleet, [string] $Branch = 'main') { (Invoke-Git -C $Fleet.Bare rev-parse $Branch | Out-String).Trim() }
    function Get-Refs($Fleet) { Invoke-RestMethod "$($Fleet.Emulator.url)_emulator/refs" }
}

AfterAll {
    foreach ($h in $Hosts) { $h.Stop() }
    if ($Ecr) { $Ecr.Stop() }
}

Describe 'Invoke-ImageUpdater -WriteBackTransport HostApi through <_>' -ForEach @('github', 'gitlab', 'azuredevops') {
    It 'commits exactly the edited bytes and nothing else, without a clone' {
        $fleet = New-HostFleet $_ -Apps a, b
        $before = Get-Head $fleet
        $hp = $fleet.HostParameters

        $results = @(Invoke-ImageUpdater -Path $fleet.Manifests -Name a @Aws @hp | Get-Results)

        $results.Count | Should -Be 1
        $results[0].Status | Should -Be 'Updated'
        $results[0].NewTag | Should -Be '1.2.0'
        $results[0].Commit | Should -Be (Get-Head $fleet)
        (Invoke-Git -C $fleet.Bare rev-parse main~1 | Out-String).Trim() | Should -Be $before
        @(Invoke-Git -C $fleet.Bare diff --name-only main~1 main) | Should -Be @('apps/a/values.yaml')
        $changed = @(Invoke-Git -C $fleet.Bare diff main~1 main | Where-Object { $_ -match '^[-+][^-+]' })
        $changed | Should -Be @('-  tag: 1.0.0 # pinned by the updater', '+  tag: 1.2.0 # pinned by the updater')
        (Invoke-Git -C $fleet.Bare log -1 --format=%s main | Out-String).Trim() | Should -Be 'build: automatic update of a'
        Test-Path $fleet.Cache | Should -BeFalse -Because 'nothing is cloned'
    }

    It 're-applies the edit over a concurrent change to the branch, which is kept' {
        $fleet = New-HostFleet $_
        $hp = $fleet.HostParameters
        $theirs = "# a`nimage:`n  repository: web`n  tag: 1.0.0 # pinned by the updater`nreplicas: 3`n"
        Invoke-RestMethod -Method Post "$($fleet.Emulator.url)_emulator/race?path=apps/a/values.yaml&content=$([Uri]::EscapeDataString($theirs))" | Out-Null

        $results = @(Invoke-ImageUpdater -Path $fleet.Manifests @Aws @hp -Verbose 4>&1 | Tee-Object -Variable all | Get-Results)

        $results[0].Status | Should -Be 'Updated'
        (Get-Refs $fleet).races | Should -Be 1
        (Invoke-Git -C $fleet.Bare show main:apps/a/values.yaml) -join "`n" | Should -Be "# a`nimage:`n  repository: web`n  tag: 1.2.0 # pinned by the updater`nreplicas: 3"
        (Invoke-Git -C $fleet.Bare log -1 --format=%s main~1 | Out-String).Trim() | Should -Be 'A concurrent change to apps/a/values.yaml'
        ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Match 're-reading and re-applying'
    }

    It 'names the missing permission when the token may not write, and moves no branch' {
        $fleet = New-HostFleet $_
        $hp = $fleet.HostParameters
        Invoke-RestMethod -Method Post "$($fleet.Emulator.url)_emulator/read-only" | Out-Null
        $before = Get-Head $fleet
        $permission = @{ github = 'contents: write'; gitlab = 'Developer role'; azuredevops = 'Contribute' }[$_]

        $results = @(Invoke-ImageUpdater -Path $fleet.Manifests @Aws @hp -ErrorVariable errs -ErrorAction SilentlyContinue | Get-Results)

        $results[0].Status | Should -Be 'Failed'
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].Exception.Message | Should -BeLike "*$permission*"
        ($errs | Out-String) + ($results | Out-String) | Should -Not -Match $Token
        Get-Head $fleet | Should -Be $before
        @((Get-Refs $fleet).updates).Count | Should -Be 0
    }

    It 'retries the rate-limit answers of the API' {
        $fleet = New-HostFleet $_ -Options '--throttle', '2'
        $hp = $fleet.HostParameters

        $results = @(Invoke-ImageUpdater -Path $fleet.Manifests @Aws @hp | Get-Results)

        $results[0].Status | Should -Be 'Updated'
        (Invoke-Git -C $fleet.Bare show main:apps/a/values.yaml) -join "`n" | Should -Match 'tag: 1.2.0'
    }

    It '-WhatIf reads through the API and writes nothing' {
        $fleet = New-HostFleet $_
        $hp = $fleet.HostParameters
        $before = Get-Head $fleet

        $results = @(Invoke-ImageUpdater -Path $fleet.Manifests @Aws @hp -WhatIf | Get-Results)

        $results[0].Status | Should -Be 'WhatIf'
        $results[0].Diff | Should -Match '\+  tag: 1\.2\.0'
        Get-Head $fleet | Should -Be $before
        @((Get-Refs $fleet).updates).Count | Should -Be 0
    }
}

Describe 'GitHub commits through the Git data API' {
    It 'moves the ref by PATCH without force, and GitHub is the committer that signs' {
        $fleet = New-HostFleet github
        $hp = $fleet.HostParameters

        $results = @(Invoke-ImageUpdater -Path $fleet.Manifests @Aws @hp | Get-Results)

        $results[0].Status | Should -Be 'Updated'
        $updates = @((Get-Refs $fleet).updates)
        $updates.Count | Should -Be 1
        $updates[0].method | Should -Be 'PATCH git/refs'
        $updates[0].force | Should -BeFalse
        (Invoke-Git -C $fleet.Bare log -1 '--format=%cn <%ce>' main | Out-String).Trim() | Should -Be 'GitHub <noreply@github.com>'
    }
}

Describe 'Update-HelmImageTag -WriteBackTransport HostApi' {
    It 'writes piped candidates through the API as Invoke-ImageUpdater does' {
        $fleet = New-HostFleet gitlab
        $hp = $fleet.HostParameters

        $results = @(Get-ArgoApplication -Path $fleet.Manifests | Find-EcrTag @Aws | Update-HelmImageTag @hp | Get-Results)

        $results[0].Status | Should -Be 'Updated'
        $results[0].Commit | Should -Be (Get-Head $fleet)
        Test-Path $fleet.Cache | Should -BeFalse
    }

    It 'refuses -LocalRepository with HostApi' {
        $fleet = New-HostFleet gitlab
        $hp = $fleet.HostParameters
        { Get-ArgoApplication -Path $fleet.Manifests | Find-EcrTag @Aws | Update-HelmImageTag @hp -LocalRepository $TestDrive -ErrorAction Stop } | Should -Throw '*cannot write into -LocalRepository*'
    }
}
