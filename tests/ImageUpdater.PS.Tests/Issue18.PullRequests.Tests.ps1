# Pull requests after the git push (#18), through the strict GitHub, GitLab and Azure DevOps stand-ins, with a real bare
# repository served by the git smart-HTTP stand-in: opened with the default title/body, updated (not duplicated) by a
# second run, a closed one not reopened, a token without rights refused before the push, throttling retried, and a
# token never sent to an API the operator did not configure. Both Update-HelmImageTag and Invoke-ImageUpdater.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    # Two registries: the first run finds 1.2.0, the second 1.3.0 (so the second run pushes again).
    $seed1 = Join-Path $TestDrive 'ecr-1.json'
    '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.2.0"],"pushedAt":1700000300}]}]}' | Set-Content $seed1
    $seed2 = Join-Path $TestDrive 'ecr-2.json'
    '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.2.0"],"pushedAt":1700000300},{"tags":["1.3.0"],"pushedAt":1700000500}]}]}' | Set-Content $seed2
    $script:Ecr1 = Start-Emulator ecr @('--seed', $seed1, '--key', 'AKIAISSUE18000000001:issue18-secret')
    $script:Ecr2 = Start-Emulator ecr @('--seed', $seed2, '--key', 'AKIAISSUE18000000001:issue18-secret')
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    function Get-Aws($Ecr) {
        @{ AccessKey = 'AKIAISSUE18000000001'; SecretKey = (ConvertTo-SecureString 'issue18-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $Ecr.url }
    }

    $script:GitPassword = 'GIT-PUSH-TOKEN-18a'
    $script:GitCred = [pscredential]::new('bot', (ConvertTo-SecureString $GitPassword -AsPlainText -Force))

    # A bare repository at <root>/<RepoPath>.git served by git-http, one Application 'web' writing to main:image-updater-web
    # with git.pull-request "true" unless -NoAnnotation. Returns Git (the stand-in), Url, Bare, Manifests.
    function New-PullRequestFleet([string] $RepoPath, [switch] $NoAnnotation) {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $null = New-Item -ItemType Directory (Join-Path $root 'repos') -Force
        $git = Start-Emulator git-http @('--root', (Join-Path $root 'repos'), '--user', 'bot', '--password', $GitPassword)
        $fleet = New-GitOpsFleet -Root $root -Apps 'web' -Image "$EcrHost/team/web" -BareName "repos/$RepoPath.git" -RepoUrl { param($Bare) "$($git.url)$RepoPath.git" }
        $extra = "    argocd-image-updater.argoproj.io/git-branch: main:image-updater-web`n"
        if (-not $NoAnnotation) { $extra += "    argocd-image-updater.argoproj.io/git.pull-request: ""true""`n" }
        $manifest = Join-Path $fleet.Manifests 'web.yaml'
        (Get-Content $manifest -Raw) -replace '(?m)^(    argocd-image-updater\.argoproj\.io/write-back-target:.*\n)', "`$1$extra" | Set-Content $manifest -NoNewline
        [pscustomobject]@{ Git = $git; Url = $fleet.Url; Bare = $fleet.Bare; Manifests = $fleet.Manifests; Cache = $fleet.Cache }
    }

    function Get-Pulls($HostStandIn) { @(Invoke-RestMethod "$($HostStandIn.url)_emulator/pulls") }

    function Test-Branch($Fleet, [string] $Branch) {
        & git -C $Fleet.Bare rev-parse --verify --quiet "refs/heads/$Branch" *> $null
        $LASTEXITCODE -eq 0
    }

    # Each host: the stand-in kind, the repository path the clone URL carries, its API base (GitLab under /api/v4).
    $script:Hosts = @{
        GitHub      = @{ Kind = 'github'; Repo = 'org/app'; Api = { param($s) $s.url }; StandInRepo = 'org/app' }
        GitLab      = @{ Kind = 'gitlab'; Repo = 'org/app'; Api = { param($s) $s.url + 'api/v4/' }; StandInRepo = 'org/app' }
        AzureDevOps = @{ Kind = 'azuredevops'; Repo = 'org/proj/_git/app'; Api = { param($s) $s.url }; StandInRepo = 'proj/app' }
    }
    function Start-HostStandIn([string] $Name, [string] $Token, [string[]] $More = @()) {
        $h = $Hosts[$Name]
        Start-Emulator $h.Kind (@('--token', $Token, '--repo', $h.StandInRepo) + $More)
    }
}

AfterAll {
    if ($Ecr1) { $Ecr1.Stop() }
    if ($Ecr2) { $Ecr2.Stop() }
}

Describe 'Pull requests on <_>' -ForEach 'GitHub', 'GitLab', 'AzureDevOps' {
    BeforeAll {
        $script:name = $_
        $script:token = "HOST-API-TOKEN-$name-7c"
        $script:standIn = Start-HostStandIn $name $token
        $script:fleet = New-PullRequestFleet $Hosts[$name].Repo
        $script:hostArgs = @{ GitHost = $name; GitHostUrl = (& $Hosts[$name].Api $standIn); GitHostToken = (ConvertTo-SecureString $token -AsPlainText -Force) }
    }
    AfterAll { if ($standIn) { $standIn.Stop() }; if ($fleet) { $fleet.Git.Stop() } }

    It 'Invoke-ImageUpdater pushes the write branch and opens a request with the default title and body' {
        $aws = Get-Aws $Ecr1
        $results = Invoke-ImageUpdater -Path $fleet.Manifests @aws -GitCredential $GitCred @hostArgs -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable errs -Verbose 4>&1
        $verbose = $results | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $results = $results | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        $errs | Should -BeNullOrEmpty
        $results.Status | Should -Be 'Updated'
        $results.NewTag | Should -Be '1.2.0'
        $results.PullRequest | Should -Not -BeNullOrEmpty
        $results.Message | Should -Match 'Opened (pull|merge) request'
        ($verbose.Message -join "`n") | Should -Match 'Opened (pull|merge) request'
        $pulls = Get-Pulls $standIn
        $pulls.Count | Should -Be 1
        $pulls[0].head | Should -Be 'image-updater-web'
        $pulls[0].base | Should -Be 'main'
        $pulls[0].title | Should -Be "chore: update web"
        # The default body: the table of images, old → new (the old tag is unknown without a live status), with the Reason.
        $pulls[0].body | Should -Match '\| Application \| Image \| Old \| New \| Reason \|'
        $pulls[0].body | Should -Match '\| web \| 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com/team/web \| [^|]+ \| 1\.2\.0 \| [^|]*newest 1\.2\.0'
        # The base branch is untouched; the write branch has the new tag.
        (& git -C $fleet.Bare show 'main:apps/web/values.yaml') -join "`n" | Should -Match 'tag: 1\.0\.0'
        (& git -C $fleet.Bare show 'image-updater-web:apps/web/values.yaml') -join "`n" | Should -Match 'tag: 1\.2\.0'
        # Neither token shows in what the user sees.
        ($results | Format-List * | Out-String) + ($verbose | Out-String) | Should -Not -Match "$token|$GitPassword"
    }

    It 'Update-HelmImageTag on a second run pushes and updates the same request, no duplicate' {
        $aws = Get-Aws $Ecr2
        $results = Get-ArgoApplication -Path $fleet.Manifests | Find-EcrTag @aws |
            Update-HelmImageTag -GitCredential $GitCred @hostArgs -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable errs

        $errs | Should -BeNullOrEmpty
        $results.Status | Should -Be 'Updated'
        $results.Message | Should -Match 'Updated (pull|merge) request'
        $pulls = Get-Pulls $standIn
        $pulls.Count | Should -Be 1
        $pulls[0].edits | Should -Be 1
        $pulls[0].body | Should -Match '1\.3\.0'
        (& git -C $fleet.Bare show 'image-updater-web:apps/web/values.yaml') -join "`n" | Should -Match 'tag: 1\.3\.0'
    }

    It '-WhatIf opens nothing and says it would' {
        $aws = Get-Aws $Ecr2
        $before = Get-Pulls $standIn
        $results = Invoke-ImageUpdater -Path $fleet.Manifests @aws -GitCredential $GitCred @hostArgs -WorkingDirectory $fleet.Cache -WhatIf
        # The write branch already has 1.3.0: nothing to do, and nothing asked of the host.
        $results.Status | Should -BeIn 'Unchanged', 'WhatIf'
        (Get-Pulls $standIn).edits | Should -Be $before.edits
    }
}

Describe 'A closed or merged request is not reopened (<_>)' -ForEach 'GitHub', 'GitLab', 'AzureDevOps' {
    BeforeAll {
        $script:name = $_
        $script:token = "HOST-API-TOKEN-$name-c1"
        $script:standIn = Start-HostStandIn $name $token
        $script:fleet = New-PullRequestFleet $Hosts[$name].Repo -NoAnnotation
        $script:hostArgs = @{ GitHost = $name; GitHostUrl = (& $Hosts[$name].Api $standIn); GitHostToken = (ConvertTo-SecureString $token -AsPlainText -Force) }
        # An earlier request of the same branches, closed (or merged) since.
        $null = Invoke-RestMethod -Method Post "$($standIn.url)_emulator/pulls?head=image-updater-web&base=main"
    }
    AfterAll { if ($standIn) { $standIn.Stop() }; if ($fleet) { $fleet.Git.Stop() } }

    It 'Update-HelmImageTag -PullRequest opens a new one and leaves the closed one closed' {
        $aws = Get-Aws $Ecr1
        $results = Get-ArgoApplication -Path $fleet.Manifests | Find-EcrTag @aws |
            Update-HelmImageTag -PullRequest -GitCredential $GitCred @hostArgs -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable errs

        $errs | Should -BeNullOrEmpty
        $results.Status | Should -Be 'Updated'
        $pulls = Get-Pulls $standIn
        $pulls.Count | Should -Be 2
        ($pulls | Where-Object state -EQ 'closed').edits | Should -Be 0
        @($pulls | Where-Object state -EQ 'open').Count | Should -Be 1
    }
}

Describe 'A token without the right to open requests (<_>)' -ForEach 'GitHub', 'GitLab' {
    BeforeAll {
        $script:name = $_
        $script:token = "READ-ONLY-TOKEN-$name-r0"
        $script:standIn = Start-HostStandIn $name $token @('--read-only')
        $script:fleet = New-PullRequestFleet $Hosts[$name].Repo
        $script:hostArgs = @{ GitHost = $name; GitHostUrl = (& $Hosts[$name].Api $standIn); GitHostToken = (ConvertTo-SecureString $token -AsPlainText -Force) }
    }
    AfterAll { if ($standIn) { $standIn.Stop() }; if ($fleet) { $fleet.Git.Stop() } }

    It 'is refused before the push: a PermissionDenied error naming the application, repository and permission; nothing pushed' {
        $aws = Get-Aws $Ecr1
        $results = Invoke-ImageUpdater -Path $fleet.Manifests @aws -GitCredential $GitCred @hostArgs -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue

        $results.Status | Should -Be 'Failed'
        $results.PullRequest | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitPullRequestPermissionDenied*'
        $message = $errs[0].Exception.Message
        $message | Should -Match "argocd/web"
        $message | Should -Match ([regex]::Escape("$($fleet.Url)"))
        $message | Should -Match $(if ($name -eq 'GitHub') { 'pull_requests: write' } else { 'Developer role' })
        $message | Should -Match 'Nothing was pushed'
        $message | Should -Not -Match $token
        Test-Branch $fleet 'image-updater-web' | Should -BeFalse
        (Get-Pulls $standIn).Count | Should -Be 0
    }
}

Describe 'Azure DevOps tells a missing right only when the request is created' {
    BeforeAll {
        $script:token = 'READ-ONLY-AZDO-PAT-r1'
        $script:standIn = Start-HostStandIn 'AzureDevOps' $token @('--read-only')
        $script:fleet = New-PullRequestFleet $Hosts.AzureDevOps.Repo
        $script:hostArgs = @{ GitHost = 'AzureDevOps'; GitHostUrl = $standIn.url; GitHostToken = (ConvertTo-SecureString $token -AsPlainText -Force) }
    }
    AfterAll { if ($standIn) { $standIn.Stop() }; if ($fleet) { $fleet.Git.Stop() } }

    It 'says exactly what happened: the commit was pushed to the write branch, no request was opened, and which permission is missing' {
        $aws = Get-Aws $Ecr1
        $results = Get-ArgoApplication -Path $fleet.Manifests | Find-EcrTag @aws |
            Update-HelmImageTag -GitCredential $GitCred @hostArgs -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue

        $results.Status | Should -Be 'Failed'
        $results.Commit | Should -Not -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].Exception.Message | Should -Match 'Contribute to pull requests'
        $errs[0].Exception.Message | Should -Match "was pushed to image-updater-web; no pull request was opened"
        (& git -C $fleet.Bare rev-parse image-updater-web) | Should -Be $results.Commit
        (Get-Pulls $standIn).Count | Should -Be 0
    }
}

Describe 'Rate limits are retried (<Name>)' -ForEach @(
    @{ Name = 'GitHub'; More = @('--throttle', '2') }
    @{ Name = 'GitHub'; More = @('--throttle', '2', '--secondary') }
    @{ Name = 'GitLab'; More = @('--throttle', '2') }
    @{ Name = 'AzureDevOps'; More = @('--throttle', '2') }
) {
    BeforeAll {
        $script:token = "THROTTLED-TOKEN-$Name-t2"
        $script:standIn = Start-HostStandIn $Name $token $More
        $script:fleet = New-PullRequestFleet $Hosts[$Name].Repo
        $script:hostArgs = @{ GitHost = $Name; GitHostUrl = (& $Hosts[$Name].Api $standIn); GitHostToken = (ConvertTo-SecureString $token -AsPlainText -Force) }
    }
    AfterAll { if ($standIn) { $standIn.Stop() }; if ($fleet) { $fleet.Git.Stop() } }

    It 'opens the request after the throttled answers (<More>)' {
        $aws = Get-Aws $Ecr1
        $results = Invoke-ImageUpdater -Path $fleet.Manifests @aws -GitCredential $GitCred @hostArgs -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable errs

        $errs | Should -BeNullOrEmpty
        $results.Status | Should -Be 'Updated'
        (Get-Pulls $standIn).Count | Should -Be 1
    }
}

Describe 'A token goes only where the operator sent it' {
    BeforeAll {
        $script:token = 'GITHUB-TOKEN-NOT-FOR-THEM-s3'
        $script:standIn = Start-HostStandIn 'GitHub' $GitPassword
        $script:fleet = New-PullRequestFleet $Hosts.GitHub.Repo
    }
    AfterAll { if ($standIn) { $standIn.Stop() }; if ($fleet) { $fleet.Git.Stop() } }

    It '-GitHostToken without -GitHostUrl is not sent to the API a manifest''s repository URL implies; nothing is pushed' {
        $aws = Get-Aws $Ecr1
        $results = Invoke-ImageUpdater -Path $fleet.Manifests @aws -GitCredential $GitCred -GitHost GitHub -GitHostToken $token -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue

        $results.Status | Should -Be 'Failed'
        $errs[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitHostTokenNotBound*'
        $errs[0].Exception.Message | Should -Match 'GitHostUrl'
        $errs[0].Exception.Message | Should -Not -Match $token
        Test-Branch $fleet 'image-updater-web' | Should -BeFalse
    }

    It 'the git credential''s password goes to -GitHostUrl, and to no API on another host without it' {
        $aws = Get-Aws $Ecr1
        # Without -GitHostUrl the API would be https://127.0.0.1/api/v3 (another origin than the credential's host): refused.
        $null = Get-ArgoApplication -Path $fleet.Manifests | Find-EcrTag @aws |
            Update-HelmImageTag -GitCredential $GitCred -GitHost GitHub -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'GitHostTokenNotBound*'
        Test-Branch $fleet 'image-updater-web' | Should -BeFalse

        # With the operator's -GitHostUrl (the stand-in takes the git password as its token) the request is opened.
        $results = Get-ArgoApplication -Path $fleet.Manifests | Find-EcrTag @aws |
            Update-HelmImageTag -GitCredential $GitCred -GitHost GitHub -GitHostUrl $standIn.url -WorkingDirectory $fleet.Cache -Confirm:$false -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $results.PullRequest | Should -Match '/pull/1$'
    }
}

Describe 'about_ImageUpdater on pull requests' {
    It 'documents the parameters, the permissions of each host and the host x feature table' {
        $text = Get-Help about_ImageUpdater | Out-String
        foreach ($word in '-GitHost', '-GitHostUrl', '-GitHostToken', '-PullRequest', 'git.pull-request', 'pull_requests: write', 'Developer role',
            'Contribute to pull requests', 'GitHostTokenNotBound', 'Host and feature', '-WriteBackTransport HostApi') {
            $text | Should -Match ([regex]::Escape($word))
        }
    }
}
