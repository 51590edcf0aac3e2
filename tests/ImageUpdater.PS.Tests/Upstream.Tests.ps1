# Issue 14 ("never silently wrong: write what upstream writes"): what the cmdlets write where upstream argocd-image-updater would write the same.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:data = Get-SharedDataPath

    # A bare repository seeded with the given files (path → text); returns its paths and file:// URL.
    function New-SeededRepository([hashtable] $Files) {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $bare = Join-Path $root 'remote/gitops.git'
        $seed = Join-Path $root 'seed'
        Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
        Invoke-Git clone --quiet $bare $seed 2>$null | Out-Null
        foreach ($path in $Files.Keys) {
            $full = Join-Path $seed $path
            $null = New-Item -ItemType Directory (Split-Path $full) -Force
            [IO.File]::WriteAllText($full, $Files[$path])
        }
        Invoke-Git -C $seed checkout --quiet -b main | Out-Null
        Invoke-Git -C $seed add -A | Out-Null
        Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
        Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null
        [pscustomobject]@{ Root = $root; Bare = $bare; Url = [System.Uri]::new($bare, [System.UriKind]::Absolute).AbsoluteUri; Cache = (Join-Path $root 'cache') }
    }

    # An Application manifest with the git write-back method; $Source is the YAML under spec.source (indented four spaces), $Status the YAML under status.
    function New-GitManifest($Repo, [string] $Name, [hashtable] $Annotations, [string[]] $Source, [string[]] $Status = @()) {
        $lines = @('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', "  name: $Name", '  namespace: argocd', '  annotations:')
        $all = @{ 'write-back-method' = 'git' } + $Annotations
        foreach ($k in $all.Keys | Sort-Object) { $lines += "    argocd-image-updater.argoproj.io/${k}: '$($all[$k])'" }
        $lines += 'spec:', '  project: default', '  source:', "    repoURL: $($Repo.Url)", '    targetRevision: main'
        $lines += $Source | ForEach-Object { "    $_" }
        if ($Status) { $lines += 'status:'; $lines += $Status | ForEach-Object { "  $_" } }
        $file = Join-Path $Repo.Root "$Name.yaml"
        Set-Content -Path $file -Value ($lines -join "`n")
        $file
    }

    # What Find-ImageTag emits, built from the Core model: the first image, $Current → $NewTag.
    function New-Candidate($Application, [string] $NewTag, [string] $Current = '1.0.0') {
        $app = $Application.PSObject.BaseObject
        $type = $app.GetType().Assembly.GetType('ImageUpdater.Core.Updating.ImageUpdateCandidate', $true)
        $candidate = [Activator]::CreateInstance($type, @($app, $app.Images[0]))
        $candidate.CurrentTag = $Current; $candidate.NewTag = $NewTag; $candidate.UpdateNeeded = $true
        $candidate
    }

    function Show-File($Repo, [string] $Path) { (Invoke-Git -C $Repo.Bare show "main:$Path") -join "`n" }
}

Describe 'Issue14 write-back parity with upstream (git, real bare repositories)' {
    It 'Issue14 item 6: a source Argo CD reports as Kustomize gets the Kustomize form of .argocd-source, without a kustomize block' {
        $repo = New-SeededRepository @{ 'apps/api/kustomization.yaml' = "resources: []`n" }
        $manifest = New-GitManifest $repo 'api' @{ 'image-list' = 'api=gcr.io/acme/api' } @('path: apps/api') @('sourceType: Kustomize')
        $result = New-Candidate (Get-ArgoApplication -Path $manifest) '1.1.0' | Update-HelmImageTag -WorkingDirectory $repo.Cache
        $result.Status | Should -Be 'Updated'
        Show-File $repo 'apps/api/.argocd-source-api.yaml' | Should -BeExactly "kustomize:`n  images:`n  - gcr.io/acme/api:1.1.0"
    }

    It 'Issue14 item 6: a Directory source is refused as an unsupported application type, nothing committed, and the linter says so' {
        $repo = New-SeededRepository @{ 'apps/api/deploy.yaml' = "kind: Deployment`n" }
        $manifest = New-GitManifest $repo 'api' @{ 'image-list' = 'api=gcr.io/acme/api' } @('path: apps/api') @('sourceType: Directory')
        $before = Invoke-Git -C $repo.Bare rev-parse main
        $out = New-Candidate (Get-ArgoApplication -Path $manifest) '1.1.0' | Update-HelmImageTag -WorkingDirectory $repo.Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        ((@($out) + @($errs)) | Out-String) | Should -Match 'unsupported application type'
        @($out | Where-Object Status -EQ 'Updated').Count | Should -Be 0
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $before
        $lint = Test-ImageUpdaterAnnotation -Path $manifest -ErrorAction SilentlyContinue
        ($lint | Where-Object Severity -EQ 'Error').Message | Should -Match 'unsupported application type.*Directory'
    }

    It 'Issue14 item 8: a write-back-target without a kind prefix is written from the repository root' {
        $repo = New-SeededRepository @{ 'apps/web/values.yaml' = "x: 1`n" }
        $manifest = New-GitManifest $repo 'web' @{ 'image-list' = 'web=nginx'; 'write-back-target' = 'target/folder/app-parameters.yaml' } @('path: apps/web', 'helm: {}')
        $result = New-Candidate (Get-ArgoApplication -Path $manifest) '1.1.0' | Update-HelmImageTag -WorkingDirectory $repo.Cache
        $result.Status | Should -Be 'Updated'
        $result.Target | Should -Be 'target/folder/app-parameters.yaml'
        Show-File $repo 'target/folder/app-parameters.yaml' | Should -Match 'value: 1.1.0'
        { Invoke-Git -C $repo.Bare show main:apps/web/target/folder/app-parameters.yaml } | Should -Throw
    }

    It 'Issue14 item 18: a git-repository matching no source commits to that repository''s default branch, not the source''s targetRevision' {
        $repo = New-SeededRepository @{ 'apps/web/values.yaml' = "image:`n  tag: 1.0.0`n" }
        Invoke-Git -C $repo.Bare branch trunk main | Out-Null
        Invoke-Git -C $repo.Bare symbolic-ref HEAD refs/heads/trunk | Out-Null
        $manifest = New-GitManifest $repo 'web' @{ 'image-list' = 'web=nginx'; 'web.helm.image-tag' = 'image.tag'; 'write-back-target' = 'helmvalues:values.yaml'; 'git-repository' = $repo.Url } @('path: apps/web', 'helm: {}')
        (Get-Content $manifest -Raw).Replace("repoURL: $($repo.Url)", 'repoURL: https://charts.example.com/web') | Set-Content $manifest
        $main = Invoke-Git -C $repo.Bare rev-parse main
        # The annotation names a repository on this machine: allowed explicitly (untrusted-input rule).
        $result = New-Candidate (Get-ArgoApplication -Path $manifest) '1.1.0' | Update-HelmImageTag -WorkingDirectory $repo.Cache -AllowLocalRepository
        $result.Status | Should -Be 'Updated'
        $result.Branch | Should -Be 'trunk'
        (Invoke-Git -C $repo.Bare show trunk:apps/web/values.yaml) -join "`n" | Should -BeExactly "image:`n  tag: 1.1.0"
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $main
    }

    It 'Issue14 item 17: localhost:5000/image keeps its registry when written' {
        $repo = New-SeededRepository @{ 'apps/img/kustomization.yaml' = "resources: []`n" }
        $manifest = New-GitManifest $repo 'img' @{ 'image-list' = 'img=localhost:5000/image' } @('path: apps/img', 'kustomize: {}')
        $result = New-Candidate (Get-ArgoApplication -Path $manifest) '1.1.0' | Update-HelmImageTag -WorkingDirectory $repo.Cache
        $result.Status | Should -Be 'Updated'
        Show-File $repo 'apps/img/.argocd-source-img.yaml' | Should -BeExactly "kustomize:`n  images:`n  - localhost:5000/image:1.1.0"
    }

    It 'Issue14 item 17: Update-KustomizeImage keeps localhost:5000/image as written' {
        $dir = Join-Path $TestDrive 'k17'
        $null = New-Item -ItemType Directory $dir -Force
        [IO.File]::WriteAllText((Join-Path $dir 'kustomization.yaml'), "images:`n- name: localhost:5000/image`n  newTag: 1.0.0`n")
        Update-KustomizeImage -Path $dir -Name localhost:5000/image -Tag 1.1.0
        [IO.File]::ReadAllText((Join-Path $dir 'kustomization.yaml')) | Should -BeExactly "images:`n- name: localhost:5000/image`n  newTag: 1.1.0`n"
    }
}

Describe 'Issue14 write-back parity with upstream (argocd method, Argo CD emulator)' {
    BeforeAll {
        if (-not $data) {
            if (Test-IsCI) { throw '../shared/data is missing, and under CI=true the Argo CD tests must run.' }
            $script:skipReason = '../shared/data is absent: the emulator serves its real Application documents.'
            return
        }
        $script:argo = Start-Emulator argocd @('--documents', (Join-Path $data 'api-models'))
        $script:savedEnv = @{ ARGOCD_SERVER = $env:ARGOCD_SERVER; ARGOCD_AUTH_TOKEN = $env:ARGOCD_AUTH_TOKEN }
        $env:ARGOCD_SERVER = $null; $env:ARGOCD_AUTH_TOKEN = $null

        function Add-EmulatedApp([string] $Name, [hashtable] $Annotations, [hashtable] $Source, [string] $SourceType) {
            $notes = @{}
            foreach ($k in $Annotations.Keys) { $notes["argocd-image-updater.argoproj.io/$k"] = $Annotations[$k] }
            $status = @{ summary = @{ images = @('library/foobar:1.0.1') } }
            if ($SourceType) { $status.sourceType = $SourceType }
            $app = @{
                apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'
                metadata   = @{ name = $Name; namespace = 'argocd'; annotations = $notes }
                spec       = @{ project = 'default'; destination = @{ name = 'in-cluster'; namespace = $Name }; source = $Source }
                status     = $status
            }
            $null = Invoke-RestMethod -Method Post -Uri "$($argo.url)__emulator/applications" -ContentType 'application/json' -Body ($app | ConvertTo-Json -Depth 20)
        }

        function Get-LastPatch { @((Invoke-RestMethod "$($argo.url)__emulator/requests") | ForEach-Object { $_ } | Where-Object method -EQ 'PATCH') | Select-Object -Last 1 }
    }
    AfterAll {
        if ($argo) { $argo.Stop() }
        Disconnect-ArgoCD
        if ($savedEnv) { $env:ARGOCD_SERVER = $savedEnv.ARGOCD_SERVER; $env:ARGOCD_AUTH_TOKEN = $savedEnv.ARGOCD_AUTH_TOKEN }
    }
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Connect-ArgoCD -Server $argo.url -Token (ConvertTo-SecureString $argo.tokens.'image-updater' -AsPlainText -Force) 6>$null
    }

    It 'Issue14 item 6: status.sourceType Kustomize without a kustomize block is patched as kustomize.images' {
        Add-EmulatedApp 'ks-detected' @{ 'image-list' = 'foo=gcr.io/library/foobar' } @{ repoURL = 'https://git.example.com/k.git'; path = 'overlays/prod' } 'Kustomize'
        $result = New-Candidate (Get-ArgoApplication -Name ks-detected) '1.0.2' '1.0.1' | Update-HelmImageTag
        $result.Status | Should -Be 'Updated'
        $result.Target | Should -Be 'spec.source.kustomize.images'
        (Get-ArgoApplication -Name ks-detected).Sources[0].KustomizeImages | Should -Be @('gcr.io/library/foobar:1.0.2')
    }

    It 'Issue14 item 6: a Plugin application is refused as an unsupported application type and nothing is patched' {
        Add-EmulatedApp 'plugin-app' @{ 'image-list' = 'foo=gcr.io/library/foobar' } @{ repoURL = 'https://git.example.com/p.git'; path = 'p'; plugin = @{ name = 'cmp' } } 'Plugin'
        $before = Get-LastPatch
        $out = New-Candidate (Get-ArgoApplication -Name plugin-app) '1.0.2' '1.0.1' | Update-HelmImageTag -ErrorVariable errs -ErrorAction SilentlyContinue
        ((@($out) + @($errs)) | Out-String) | Should -Match 'unsupported application type'
        @($out | Where-Object Status -EQ 'Updated').Count | Should -Be 0
        (Get-LastPatch | ConvertTo-Json -Depth 10) | Should -Be ($before | ConvertTo-Json -Depth 10)
    }

    It 'Issue14 item 7: the registry-less kustomize images entry is replaced, not joined by a second one' {
        Add-EmulatedApp 'ks-replace' @{ 'image-list' = 'foo=gcr.io/library/foobar' } @{ repoURL = 'https://git.example.com/k.git'; path = 'k'; kustomize = @{ images = @('redis:7.2', 'library/foobar:1.0.1') } } 'Kustomize'
        $result = New-Candidate (Get-ArgoApplication -Name ks-replace) '1.0.2' '1.0.1' | Update-HelmImageTag
        $result.Status | Should -Be 'Updated'
        (Get-ArgoApplication -Name ks-replace).Sources[0].KustomizeImages | Should -Be @('redis:7.2', 'gcr.io/library/foobar:1.0.2')
        (Get-LastPatch).body | Should -Match 'gcr.io/library/foobar:1.0.2'
    }
}

Describe 'Issue14 item 16: an invalid pull-secret is ignored with a warning; a refused one still fails' {
    BeforeAll {
        $script:Registry = Start-Emulator capture-registry @('--auth', 'none', '--tags', '["1.0.0","1.0.1","1.1.0"]')
        function New-PullSecretManifest([string] $Name, [string] $PullSecret) {
            $file = Join-Path $TestDrive "$Name.yaml"
            @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $Name
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$($Registry.host)/team/web
    argocd-image-updater.argoproj.io/web.pull-secret: '$PullSecret'
spec:
  project: default
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/web
    helm: {}
"@ | Set-Content $file
            $file
        }
    }
    AfterAll { if ($Registry) { $Registry.Stop() } }

    It 'Issue14 item 16: a pull-secret that is no credential reference falls back to the registry''s own credentials, with a warning' {
        $file = New-PullSecretManifest 'vaulted' 'vault:team/web'
        $out = Get-ArgoApplication -Path $file | Find-ImageTag -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 0
        $out.NewTag | Should -Be '1.1.0'
        ($warnings | Out-String) | Should -Match 'pull-secret of .*team/web is ignored'
        $lint = Test-ImageUpdaterAnnotation -Path $file
        ($lint | Where-Object Key -EQ 'web.pull-secret').Severity | Should -Be 'Warning'
        ($lint | Where-Object Key -EQ 'web.pull-secret').Message | Should -Match 'ignored'
    }

    It 'Issue14 item 11: library/foobar:1.0.1 running and <registry>/library/foobar:1.0.1 wanted is an update (kustomize image-name)' {
        $file = Join-Path $TestDrive 'moved.yaml'
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: moved
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: foobar=$($Registry.host)/library/foobar:1.0.x
    argocd-image-updater.argoproj.io/foobar.kustomize.image-name: library/foobar
spec:
  project: default
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/web
    kustomize: {}
status:
  summary:
    images:
    - library/foobar:1.0.1
"@ | Set-Content $file
        $out = Get-ArgoApplication -Path $file | Find-ImageTag -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 0
        $out.CurrentTag | Should -Be '1.0.1'
        $out.NewTag | Should -Be '1.0.1'
        $out.UpdateNeeded | Should -BeTrue
        $out.Reason | Should -Match 'moves from library/foobar'
    }

    It 'Issue14 item 16: a well-formed pull-secret the policy refuses still fails' {
        $file = New-PullSecretManifest 'env-refused' 'env:HOME'
        $out = Get-ArgoApplication -Path $file | Find-ImageTag -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'PullSecretNotAllowed,*'
        (Test-ImageUpdaterAnnotation -Path $file -ErrorAction SilentlyContinue | Where-Object Key -EQ 'web.pull-secret').Severity | Should -Be 'Error'
    }
}
