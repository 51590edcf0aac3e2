# Untrusted input stays untrusted: annotations, manifests, registries and repository URLs are input, not configuration.
# Each Describe is named after the item of the issue it covers; servers are loopback emulators that record what arrives.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function Get-Captured($Server) { @((Invoke-RestMethod "$($Server.url)__capture/requests").requests) }

    # An Application manifest for an image on $Registry with extra annotations.
    function New-AppManifest([string] $Name, [string] $Namespace, [string] $Image, [hashtable] $Annotations = @{}, [string] $RepoUrl = 'https://git.example.com/gitops.git', [string] $Path = 'apps/web') {
        $lines = foreach ($key in $Annotations.Keys) { "    argocd-image-updater.argoproj.io/${key}: '$($Annotations[$key])'" }
        $file = Join-Path $TestDrive ("$Name-" + [guid]::NewGuid().ToString('N').Substring(0, 6) + '.yaml')
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $Name
  namespace: $Namespace
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$Image
$($lines -join "`n")
spec:
  project: default
  source:
    repoURL: $RepoUrl
    path: $Path
    targetRevision: main
    helm: {}
"@ | Set-Content $file
        $file
    }

    # A bare repository holding apps/<app>/values.yaml (tag 1.0.0) for each app.
    function New-GitOps([string[]] $Apps, [string] $Root = (Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8)))) {
        $bare = Join-Path $Root 'gitops.git'
        $seed = Join-Path $Root 'seed'
        Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
        Invoke-Git clone --quiet $bare $seed 2>$null | Out-Null
        foreach ($app in $Apps) {
            $null = New-Item -ItemType Directory (Join-Path $seed "apps/$app") -Force
            [IO.File]::WriteAllText((Join-Path $seed "apps/$app/values.yaml"), "image:`n  tag: 1.0.0`n")
        }
        $null = New-Item -ItemType Directory (Join-Path $seed '.github/workflows') -Force
        [IO.File]::WriteAllText((Join-Path $seed '.github/workflows/deploy.yml'), "jobs:`n  deploy:`n    steps:`n    - run: echo ok`n")
        Invoke-Git -C $seed checkout --quiet -b main | Out-Null
        Invoke-Git -C $seed add -A | Out-Null
        Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
        Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null
        [pscustomobject]@{ Root = $Root; Bare = $bare; Url = [Uri]::new($bare).AbsoluteUri; Cache = Join-Path $Root 'cache' }
    }

    function Get-Results($Out) { @($Out | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult' }) }

    $script:Registry = Start-Emulator capture-registry @('--auth', 'none', '--tags', '["1.0.0","1.1.0"]')
    $script:Image = "$($Registry.host)/team/web"
}

AfterAll {
    if ($Registry) { $Registry.Stop() }
}

Describe 'Item 3: pull-secret ext: and env: only from operator configuration' {
    BeforeAll {
        $script:Locked = Start-Emulator capture-registry @('--auth', 'basic')
        $script:Marker = Join-Path $TestDrive 'ext-ran'
        $script:Script = Join-Path $TestDrive 'creds.sh'
        "#!/bin/sh`ntouch '$Marker'`necho user:EXTPASS-S3CRET" | Set-Content $Script
        if (-not $IsWindows) { & chmod +x $Script }
    }
    AfterAll { if ($Locked) { $Locked.Stop() } }

    It 'refuses ext: and env: from an annotation: nothing runs, no variable is sent, the error names the application' {
        $env:IU_UNTRUSTED_DB = 'admin:DBPASS-S3CRET-0042'
        try {
            $ext = New-AppManifest 'ext-app' 'argocd' "$($Locked.host)/team/web" @{ 'web.pull-secret' = "ext:$Script" }
            $envApp = New-AppManifest 'env-app' 'argocd' "$($Locked.host)/team/web" @{ 'web.pull-secret' = 'env:IU_UNTRUSTED_DB' }
            $out = Get-ArgoApplication -Path $ext, $envApp | Find-ImageTag -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally { Remove-Item Env:IU_UNTRUSTED_DB }

        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 2
        $errs | ForEach-Object {
            $_.FullyQualifiedErrorId | Should -BeLike 'PullSecretNotAllowed,*'
            $_.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $_.Exception.Message | Should -Match '-AllowPullSecret'
        }
        $errs[0].Exception.Message | Should -Match '^ext-app: '
        $errs[1].Exception.Message | Should -Match '^env-app: '
        Test-Path $Marker | Should -BeFalse
        Get-Captured $Locked | Where-Object authorization | Should -BeNullOrEmpty
    }

    It 'uses an env: pull-secret the operator allowed' {
        $env:IU_ALLOWED_PULL = 'robot:ALLOWED-PASS'
        try {
            $app = New-AppManifest 'allowed' 'argocd' "$($Locked.host)/team/web" @{ 'web.pull-secret' = 'env:IU_ALLOWED_PULL' }
            $candidate = Get-ArgoApplication -Path $app | Find-ImageTag -AllowPullSecret 'env:IU_ALLOWED_*'
        }
        finally { Remove-Item Env:IU_ALLOWED_PULL }
        $candidate.NewTag | Should -Be '1.1.0'
        (Get-Captured $Locked | Where-Object authorization | Select-Object -First 1).authorization | Should -Match '^Basic '
    }

    It 'Invoke-ImageUpdater honours the same rule through the same router: refused without the allow-list, used with it' {
        $env:IU_INVOKE_PULL = 'robot:INVOKE-PASS'
        try {
            $app = New-AppManifest 'invoked' 'argocd' "$($Locked.host)/team/web" @{ 'web.pull-secret' = 'env:IU_INVOKE_PULL' }
            $start = @(Get-Captured $Locked | Where-Object authorization).Count
            $refused = @(Invoke-ImageUpdater -Path $app -PassThru -WhatIf -ErrorVariable errs -ErrorAction SilentlyContinue 3>$null 6>$null |
                Where-Object { $_.PSObject.TypeNames -contains 'ImageUpdater.ImageUpdateCandidate' })
            $before = @(Get-Captured $Locked | Where-Object authorization).Count
            $allowed = @(Invoke-ImageUpdater -Path $app -PassThru -WhatIf -AllowPullSecret 'env:IU_INVOKE_PULL' -ErrorAction SilentlyContinue 3>$null 6>$null |
                Where-Object { $_.PSObject.TypeNames -contains 'ImageUpdater.ImageUpdateCandidate' })
        }
        finally { Remove-Item Env:IU_INVOKE_PULL }
        $refused[0].Decision | Should -Be 'Failed'
        ($errs | Where-Object { $_.FullyQualifiedErrorId -like 'PullSecretNotAllowed,*' }) | Should -Not -BeNullOrEmpty
        $before | Should -Be $start
        $allowed[0].NewTag | Should -Be '1.1.0'
        (Get-Captured $Locked | Where-Object authorization | Select-Object -Last 1).authorization | Should -Match '^Basic '
    }

    It 'Test-ImageUpdaterAnnotation reports both as errors' {
        $file = New-AppManifest 'lint' 'argocd' $Image @{ 'web.pull-secret' = "ext:$Script"; 'pull-secret' = 'env:HOME' }
        $diagnostics = Test-ImageUpdaterAnnotation -Path $file -ErrorAction SilentlyContinue -ErrorVariable errs
        ($diagnostics | Where-Object Key -EQ 'web.pull-secret').Message | Should -Match 'may not use ext:'
        $errs | Should -Not -BeNullOrEmpty
    }
}

Describe 'Item 4: secret: pull-secrets only from the application''s own namespace' {
    It 'refuses a secret of another namespace before any Kubernetes call, and the linter says so' {
        $file = New-AppManifest 'team-a-web' 'team-a' $Image @{ 'web.pull-secret' = 'secret:kube-system/platform-admin#login' }
        $out = Get-ArgoApplication -Path $file | Find-ImageTag -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'PullSecretNotAllowed,*'
        $errs[0].Exception.Message | Should -Match "namespace 'kube-system'.*'team-a'"

        $lint = Test-ImageUpdaterAnnotation -Path $file -ErrorAction SilentlyContinue
        ($lint | Where-Object Key -EQ 'web.pull-secret').Severity | Should -Be 'Error'
        $own = New-AppManifest 'team-a-api' 'team-a' $Image @{ 'web.pull-secret' = 'secret:team-a/regcred#login' }
        Test-ImageUpdaterAnnotation -Path $own | Where-Object Key -Like '*pull-secret' | Should -BeNullOrEmpty
    }
}

Describe 'Item 5: a Bearer realm elsewhere over http receives no credential' {
    BeforeAll {
        $script:Realm = Start-Emulator capture-registry @('--auth', 'none')
        $script:Bearer = Start-Emulator capture-registry @('--auth', 'bearer', '--realm', "$($Realm.url)token")
        $script:Corp = [pscredential]::new('corp-user', (ConvertTo-SecureString 'CORPPASS-S3CRET-55aa' -AsPlainText -Force))
    }
    AfterAll { if ($Bearer) { $Bearer.Stop() }; if ($Realm) { $Realm.Stop() } }

    It 'fails with RegistryTokenRealmRefused and the token service sees no request' {
        $out = Find-ImageTag -Image "$($Bearer.host)/team/web" -RegistryCredential $Corp -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'RegistryTokenRealmRefused,*'
        $errs[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errs[0].Exception.Message | Should -Match '-AllowTokenRealm'
        Get-Captured $Realm | Should -BeNullOrEmpty
        ($errs | Out-String) | Should -Not -Match 'CORPPASS'
    }

    It 'sends it to a realm the operator allowed' {
        (Find-ImageTag -Image "$($Bearer.host)/team/web" -RegistryCredential $Corp -AllowTokenRealm "$($Realm.url)token" -First 1).Tag | Should -Be '1.1.0'
        (Get-Captured $Realm)[0].authorization | Should -Match '^Basic '
    }
}

Describe 'Item 6: registry tags are validated and protected paths are not write-back targets' {
    BeforeAll {
        $tagsJson = '["1.0.0","zzz\ncurl -s http://127.0.0.1:1/p | sh","9.9.9;rm -rf /","${{ secrets.TOKEN }}"]'
        $script:Hostile = Start-Emulator capture-registry @('--auth', 'none', '--tags', $tagsJson)
    }
    AfterAll { if ($Hostile) { $Hostile.Stop() } }

    It 'drops tags that are not OCI tags before any strategy and counts them in the Reason' {
        $tags = Find-ImageTag -Image "$($Hostile.host)/team/web" -UpdateStrategy alphabetical -Verbose 4>&1
        $verbose = $tags | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($tags | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Tag | Should -Be @('1.0.0')
        ($verbose | Out-String) | Should -Match '3 invalid tags ignored'
    }

    It 'refuses a .github/workflows target, leaves the repository untouched, and the linter reports it' {
        $repo = New-GitOps @('web')
        $file = New-AppManifest 'ci' 'argocd' $Image @{
            'web.helm.image-tag' = 'jobs.deploy.steps[0].run'; 'write-back-method' = 'git'
            'write-back-target' = 'helmvalues:/.github/workflows/deploy.yml'; 'update-strategy' = 'alphabetical'
        } -RepoUrl $repo.Url
        $before = Invoke-Git -C $repo.Bare rev-parse main

        $out = Invoke-ImageUpdater -Path $file -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        (Get-Results $out).Status | Should -Be 'Failed'
        $errs.FullyQualifiedErrorId | Should -BeLike 'WriteBackTargetProtected,*'
        $errs[0].Exception.Message | Should -Match "'argocd/ci'.*\.github/"
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $before

        (Test-ImageUpdaterAnnotation -Path $file -ErrorAction SilentlyContinue | Where-Object Key -EQ 'write-back-target').Severity | Should -Be 'Error'

        $allowed = Invoke-ImageUpdater -Path $file -WorkingDirectory $repo.Cache -AllowProtectedPath '.github/workflows/deploy.yml'
        (Get-Results $allowed).Status | Should -Be 'Updated'
        (Invoke-Git -C $repo.Bare show main:.github/workflows/deploy.yml) -join "`n" | Should -Match 'run: 1\.1\.0'
    }
}

Describe 'Item 9: a symbolic-link target is written through inside the allowed root, or refused before anything is touched' -Skip:$IsWindows {
    It 'Update-HelmImageTag -Path replaces the file the link points to (atomically, in its folder); the link stays a link' {
        $root = Join-Path $TestDrive 'links'
        $null = New-Item -ItemType Directory "$root/env", "$root/shared" -Force
        [IO.File]::WriteAllText("$root/shared/values.yaml", "image:`n  tag: 1.0.0`n")
        $null = New-Item -ItemType SymbolicLink -Path "$root/env/values.yaml" -Target '../shared/values.yaml'

        $result = Update-HelmImageTag -Path "$root/env/values.yaml" -Tag 2.0.0 -PassThru
        $result.Status | Should -Be 'Updated'
        (Get-Item "$root/env/values.yaml").LinkType | Should -Be 'SymbolicLink'
        [IO.File]::ReadAllText("$root/shared/values.yaml") | Should -BeExactly "image:`n  tag: 2.0.0`n"
        @(Get-ChildItem -Force "$root/env", "$root/shared" | Where-Object Name -Like '*.tmp') | Should -BeNullOrEmpty
    }

    It '-LocalRepository commits the in-repository file a link points to, and refuses a link out of the repository with the checkout untouched' {
        $repo = New-GitOps @('a', 'b', 'shared')
        $checkout = Join-Path $repo.Root 'checkout'
        Invoke-Git clone --quiet $repo.Bare $checkout 2>$null | Out-Null
        $outside = Join-Path $repo.Root 'outside.yaml'
        [IO.File]::WriteAllText($outside, "image:`n  tag: 1.0.0`n")
        Remove-Item "$checkout/apps/a/values.yaml", "$checkout/apps/b/values.yaml"
        $null = New-Item -ItemType SymbolicLink -Path "$checkout/apps/a/values.yaml" -Target '../shared/values.yaml'
        $null = New-Item -ItemType SymbolicLink -Path "$checkout/apps/b/values.yaml" -Target $outside
        Invoke-Git -C $checkout add -A | Out-Null
        Invoke-Git -C $checkout -c user.name=Seed -c user.email=seed@example.com commit --quiet -m links | Out-Null
        $outsideBefore = [IO.File]::ReadAllBytes($outside)
        $common = @{ 'web.helm.image-tag' = 'image.tag'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml' }

        $a = New-AppManifest 'a' 'argocd' $Image $common -RepoUrl $repo.Url -Path apps/a
        $result = Get-ArgoApplication -Path $a | Find-ImageTag | Update-HelmImageTag -LocalRepository $checkout
        $result.Status | Should -Be 'Updated'
        $result.Target | Should -Be 'apps/shared/values.yaml'
        Invoke-Git -C $checkout status --porcelain | Should -BeNullOrEmpty
        (Invoke-Git -C $checkout show HEAD:apps/shared/values.yaml) -join "`n" | Should -Match 'tag: 1\.1\.0'
        (Invoke-Git -C $checkout ls-tree HEAD apps/a/values.yaml) | Should -Match '^120000 '

        $head = Invoke-Git -C $checkout rev-parse HEAD
        $b = New-AppManifest 'b' 'argocd' $Image $common -RepoUrl $repo.Url -Path apps/b
        $refused = Get-ArgoApplication -Path $b | Find-ImageTag | Update-HelmImageTag -LocalRepository $checkout -ErrorVariable errs -ErrorAction SilentlyContinue
        $refused.Status | Should -Be 'Failed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WriteBackTargetOutsideRepository,*'
        [IO.File]::ReadAllBytes($outside) | Should -Be $outsideBefore
        Invoke-Git -C $checkout rev-parse HEAD | Should -Be $head
        Invoke-Git -C $checkout status --porcelain | Should -BeNullOrEmpty
    }
}

Describe 'Item 10: write-back never edits a value other applications share through a merge key or alias' {
    It 'fails the application whose key comes through <<: *defaults, names the other places, and leaves every file byte-identical; others are written' {
        $repo = New-GitOps @('a', 'b')
        $seed = Join-Path $repo.Root 'seed'
        # app1 is the anchored mapping itself (an alias): no key of its own can override it, so the edit is refused.
        $shared = "defaults: &defaults`n  repository: nginx`n  tag: 1.0.0`napp1: *defaults`nother:`n  <<: *defaults`n"
        [IO.File]::WriteAllText("$seed/apps/a/values.yaml", $shared)
        Invoke-Git -C $seed add -A | Out-Null
        Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m shared | Out-Null
        Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null
        $before = [IO.File]::ReadAllBytes("$seed/apps/a/values.yaml")
        $a = New-AppManifest 'a' 'argocd' $Image @{ 'web.helm.image-tag' = 'app1.tag'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml' } -RepoUrl $repo.Url -Path apps/a
        $b = New-AppManifest 'b' 'argocd' $Image @{ 'web.helm.image-tag' = 'image.tag'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml' } -RepoUrl $repo.Url -Path apps/b

        $out = Invoke-ImageUpdater -Path $a, $b -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        $results = Get-Results $out
        ($results | Where-Object Application -EQ 'a').Status | Should -Be 'Failed'
        ($results | Where-Object Application -EQ 'b').Status | Should -Be 'Updated'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WriteBackSharedValue,*'
        $errs[0].Exception.Message | Should -Match 'app1\.tag .*would also change'
        $errs[0].Exception.Message | Should -Match 'defaults\.tag'
        $errs[0].Exception.Message | Should -Match 'other\.tag'
        $errs[0].Exception.Message | Should -Match 'own app1\.tag key'
        Invoke-Git -C $seed pull --quiet origin main 2>$null | Out-Null
        [IO.File]::ReadAllBytes("$seed/apps/a/values.yaml") | Should -Be $before
    }
}

Describe 'Item 14: tag listings are bounded and a slow image does not hold back its repository' {
    BeforeAll {
        $script:Hostile14 = Start-Emulator capture-registry @('--auth', 'none', '--endless', 'team/endless', '--huge', 'team/huge=6000000', '--slow', 'team/slow=60')
    }
    AfterAll { if ($Hostile14) { $Hostile14.Stop() } }

    It 'stops endless paging and a huge page with RegistryTagListTooLarge' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Find-ImageTag -Image "$($Hostile14.host)/team/endless" -ErrorVariable endless -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Find-ImageTag -Image "$($Hostile14.host)/team/huge" -ErrorVariable huge -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
        $endless[0].FullyQualifiedErrorId | Should -BeLike 'RegistryTagListTooLarge,*'
        $endless[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $endless[0].Exception.Message | Should -Match 'more than 100000 tags'
        $huge[0].FullyQualifiedErrorId | Should -BeLike 'RegistryTagListTooLarge,*'
        $huge[0].Exception.Message | Should -Match 'more than 64 MB'
        # 100 000 tags at 1 000 a page: the cap ends it, not the server.
        @(Get-Captured $Hostile14 | Where-Object path -Like '/v2/team/endless/tags/list*').Count | Should -BeLessOrEqual 101
    }

    It 'writes back the ready applications of the repository, reports the slow image Failed after -ImageTimeoutSec, and ends' {
        $repo = New-GitOps @('fast', 'slow', 'endless')
        $common = @{ 'web.helm.image-tag' = 'image.tag'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml' }
        $fast = New-AppManifest 'fast' 'argocd' $Image $common -RepoUrl $repo.Url -Path apps/fast
        $slow = New-AppManifest 'slow' 'argocd' "$($Hostile14.host)/team/slow" $common -RepoUrl $repo.Url -Path apps/slow
        $endless = New-AppManifest 'endless' 'argocd' "$($Hostile14.host)/team/endless" $common -RepoUrl $repo.Url -Path apps/endless
        $seed = Join-Path $repo.Root 'seed'
        $before = @{}; foreach ($f in 'apps/slow/values.yaml', 'apps/endless/values.yaml', '.github/workflows/deploy.yml') { $before[$f] = [IO.File]::ReadAllBytes((Join-Path $seed $f)) }

        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = Invoke-ImageUpdater -Path $fast, $slow, $endless -WorkingDirectory $repo.Cache -ImageTimeoutSec 5 -ErrorVariable errs -ErrorAction SilentlyContinue -SummaryVariable summary
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 45
        $results = Get-Results $out
        ($results | Where-Object Application -EQ 'fast').Status | Should -Be 'Updated'
        ($results | Where-Object Application -EQ 'slow').Status | Should -Be 'Failed'
        ($results | Where-Object Application -EQ 'endless').Status | Should -Be 'Failed'
        # The endless listing may also pass 5 s before its tag cap: both are Failed either way.
        (($errs | Where-Object { $_.FullyQualifiedErrorId -like 'ImageTimeout,*' }).Exception.Message -join "`n") | Should -Match 'slow: .*longer than 5 s'
        $summary | Should -Not -BeNullOrEmpty
        $summary.Failed | Should -Be 2

        (Invoke-Git -C $repo.Bare show main:apps/fast/values.yaml) -join "`n" | Should -Match 'tag: 1\.1\.0'
        Invoke-Git -C $seed pull --quiet origin main 2>$null | Out-Null
        foreach ($f in $before.Keys) { [IO.File]::ReadAllBytes((Join-Path $seed $f)) | Should -Be $before[$f] -Because $f }
    }
}

Describe 'Item 8: an invalid rendered branch fails only its own application' {
    It 'fails origin/<app> and HEAD, pushes the valid branch of the same repository' {
        $repo = New-GitOps @('a', 'b', 'c')
        $common = @{ 'web.helm.image-tag' = 'image.tag'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml' }
        $a = New-AppManifest 'a' 'argocd' $Image ($common + @{ 'git-branch' = 'main:origin/{{.AppName}}' }) -RepoUrl $repo.Url -Path apps/a
        $b = New-AppManifest 'b' 'argocd' $Image ($common + @{ 'git-branch' = 'main:image-updater-{{.AppName}}' }) -RepoUrl $repo.Url -Path apps/b
        $c = New-AppManifest 'c' 'argocd' $Image ($common + @{ 'git-branch' = 'main:HEAD' }) -RepoUrl $repo.Url -Path apps/c

        $out = Invoke-ImageUpdater -Path $a, $b, $c -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        $results = Get-Results $out
        ($results | Where-Object Application -EQ 'b').Status | Should -Be 'Updated'
        ($results | Where-Object Application -EQ 'a').Status | Should -Be 'Failed'
        ($results | Where-Object Application -EQ 'c').Status | Should -Be 'Failed'
        @($errs | Where-Object FullyQualifiedErrorId -Like 'GitBranchNameInvalid,*').Count | Should -Be 2
        ($errs | Out-String) | Should -Not -Match "application 'b'"
        $refs = Invoke-Git -C $repo.Bare for-each-ref --format='%(refname)'
        $refs | Should -Contain 'refs/heads/image-updater-b'
        $refs | Should -Not -Contain 'refs/heads/origin/a'
        $refs | Should -Not -Contain 'refs/heads/HEAD'
    }
}

Describe 'Item 16: files YAML parsers disagree on, and devices' {
    It 'refuses NUL bytes and tab indentation as YamlInvalid and leaves the file untouched' {
        $nul = Join-Path $TestDrive 'nul.yaml'
        [IO.File]::WriteAllText($nul, "a: 1`0`nimage:`n  tag: v1`n")
        $tab = Join-Path $TestDrive 'tab.yaml'
        [IO.File]::WriteAllText($tab, "a: 1`n`tb: 2`nimage:`n  tag: v1`n")
        Update-HelmImageTag -Path $nul -Tag v2 -ErrorVariable errs -ErrorAction SilentlyContinue
        Update-HelmImageTag -Path $tab -Tag v2 -ErrorVariable +errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'YamlInvalid,*'; $_.Exception.Message | Should -Not -Match 'a bug' }
        [IO.File]::ReadAllText($nul) | Should -BeExactly "a: 1`0`nimage:`n  tag: v1`n"
        [IO.File]::ReadAllText($tab) | Should -BeExactly "a: 1`n`tb: 2`nimage:`n  tag: v1`n"
    }

    It '-Path /dev/zero is a clear size error, not OutOfMemoryException' -Skip:(-not (Test-Path /dev/zero)) {
        Update-HelmImageTag -Path /dev/zero -Tag v2 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'YamlFileTooLarge,*'
    }
}

Describe 'Item 17: a token in a repository URL appears nowhere' {
    BeforeAll {
        $script:Repo = New-GitOps @('web')
        $script:Git = Start-Emulator git-http @('--root', $Repo.Root, '--user', 'bot', '--password', 'GITPASS-S3CRET-7f3a')
        $script:TokenUrl = $Git.url.Replace('http://', 'http://bot:GITPASS-S3CRET-7f3a@') + 'gitops.git'
        $script:Manifest = New-AppManifest 'web' 'argocd' $Image @{
            'web.helm.image-tag' = 'image.tag'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        } -RepoUrl $TokenUrl
    }
    AfterAll { if ($Git) { $Git.Stop() } }

    It 'is masked in -WhatIf, -Verbose, $Error and the displayed application and sources' {
        $module = Get-TestModulePath
        $cache = Join-Path $Repo.Root 'whatif-cache'
        $command = "Import-Module '$module'; Invoke-ImageUpdater -Path '$Manifest' -WorkingDirectory '$cache' -WhatIf -Verbose *>&1 | Out-String -Width 400; " +
            "`$app = Get-ArgoApplication -Path '$Manifest'; `$app | Out-String -Width 400; `$app | Format-List | Out-String -Width 400; `$app.Sources | Out-String -Width 400; `$app.WriteBack | Out-String -Width 400; " +
            "`$Error | ForEach-Object { `$_.Exception.ToString() }"
        $shown = (& (Get-PwshPath) -NoProfile -NonInteractive -Command $command 2>&1) | Out-String
        $shown | Should -Match 'What if:'
        $shown | Should -Match 'http://\*\*\*@127\.0\.0\.1'
        $shown | Should -Not -Match 'GITPASS'
    }

    It 'still pushes with the embedded credential, and a failure shows no token either' {
        $all = Invoke-ImageUpdater -Path $Manifest -WorkingDirectory (Join-Path $Repo.Root 'cache') -Verbose 4>&1
        (Get-Results $all).Status | Should -Be 'Updated'
        ($all | Out-String) | Should -Not -Match 'GITPASS'

        $wrong = New-AppManifest 'web' 'argocd' $Image @{
            'web.helm.image-tag' = 'image.tag'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        } -RepoUrl ($Git.url.Replace('http://', 'http://bot:WRONG-S3CRET@') + 'gitops.git?private_token=QUERY-S3CRET')
        $Error.Clear()
        $out = Invoke-ImageUpdater -Path $wrong -WorkingDirectory (Join-Path $Repo.Root 'cache-wrong') -ErrorAction SilentlyContinue -Verbose 4>&1
        (Get-Results $out).Status | Should -Not -Be 'Updated'
        $text = ($out | Out-String) + ($Error | ForEach-Object { $_.Exception.ToString() + $_.TargetObject } | Out-String)
        $text | Should -Not -Match 'WRONG-S3CRET|QUERY-S3CRET'
        $auth = @($Error | Where-Object { $_.FullyQualifiedErrorId -like 'GitAuthenticationFailed*' })
        $auth.Count | Should -Be 1
        $auth[0].CategoryInfo.Category | Should -Be 'AuthenticationError' -Because 'a wrong credential and a missing one are both AuthenticationError'
        $auth[0].Exception.Message | Should -Match "^Authentication failed for 'http://127\.0\.0\.1:\d+/gitops\.git.*': the server refused the user name and password written in the repository URL \(user 'bot'"
        $auth[0].Exception.Message | Should -Not -Match 'redirects|replays'
    }
}

Describe 'Items 1 and 2: -RegistryCredential only reaches registries the operator named' {
    BeforeAll {
        $script:Named = Start-Emulator capture-registry @('--auth', 'basic')
        $script:Svc = [pscredential]::new('svc-registry', (ConvertTo-SecureString 'REGPASS-S3CRET-91c2' -AsPlainText -Force))
    }
    AfterAll { if ($Named) { $Named.Stop() } }

    It 'sends nothing to a registry only an annotation names, and sends it once the operator names the registry' {
        $repo = New-GitOps @('web')
        $file = New-AppManifest 'web' 'argocd' "$($Named.host)/team/web" @{
            'web.helm.image-tag' = 'image.tag'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'
        } -RepoUrl $repo.Url
        $out = Invoke-ImageUpdater -Path $file -WorkingDirectory $repo.Cache -RegistryCredential $Svc -WhatIf -ErrorVariable errs -ErrorAction SilentlyContinue
        (Get-Results $out).Status | Should -Be 'Failed'
        $errs | Should -Not -BeNullOrEmpty
        Get-Captured $Named | Where-Object authorization | Should -BeNullOrEmpty

        $scoped = Invoke-ImageUpdater -Path $file -WorkingDirectory $repo.Cache -RegistryCredential $Svc -RegistryCredentialScope $Named.host -WhatIf
        (Get-Results $scoped).Status | Should -Be 'WhatIf'
        (Get-Captured $Named | Where-Object authorization | Select-Object -First 1).authorization | Should -Match '^Basic '
    }
}
