# Git the way Argo CD users have it (#16): Argo CD's repository secrets (git:repocreds) through the Kubernetes emulator,
# git:secret: on the pipeline path (Update-HelmImageTag -Kubeconfig), GitHub App installation tokens against a strict
# stand-in, and commits signed by the real gpg and ssh-keygen, checked by git verify-commit.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $seed = Join-Path $TestDrive 'ecr-seed.json'
    '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.2.0"],"pushedAt":1700000300}]}]}' | Set-Content $seed
    $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAISSUE16000000001:issue16-secret')
    $script:Aws = @{
        AccessKey   = 'AKIAISSUE16000000001'
        SecretKey   = ConvertTo-SecureString 'issue16-secret' -AsPlainText -Force
        Region      = 'us-east-1'
        EndpointUrl = $Ecr.url
    }
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    # A bare repository gitops.git (apps/<app>/values.yaml each) under a fresh folder; returns Bare and Root.
    function New-Repository([string[]] $Apps) {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $bare = Join-Path $root 'gitops.git'
        $seedDir = Join-Path $root 'seed'
        Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
        Invoke-Git clone --quiet $bare $seedDir 2>$null | Out-Null
        foreach ($app in $Apps) {
            $null = New-Item -ItemType Directory (Join-Path $seedDir "apps/$app") -Force
            [IO.File]::WriteAllText((Join-Path $seedDir "apps/$app/values.yaml"), "image:`n  repository: web`n  tag: 1.0.0`n")
        }
        Invoke-Git -C $seedDir checkout --quiet -b main | Out-Null
        Invoke-Git -C $seedDir add -A | Out-Null
        Invoke-Git -C $seedDir -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
        Invoke-Git -C $seedDir push --quiet origin main 2>$null | Out-Null
        [pscustomobject]@{ Bare = $bare; Root = $root }
    }

    # Posts an Application (git write-back to helmvalues of apps/<name>) to the Kubernetes emulator.
    function Add-Application($Kube, [string] $Name, [string] $RepoUrl, [string] $Method = 'git', [hashtable] $Extra = @{}) {
        $annotations = @{
            'argocd-image-updater.argoproj.io/image-list'         = "web=$EcrHost/team/web:1.x"
            'argocd-image-updater.argoproj.io/web.helm.image-tag' = 'image.tag'
            'argocd-image-updater.argoproj.io/write-back-method'  = $Method
            'argocd-image-updater.argoproj.io/write-back-target'  = 'helmvalues:values.yaml'
        }
        foreach ($k in $Extra.Keys) { $annotations["argocd-image-updater.argoproj.io/$k"] = $Extra[$k] }
        $app = @{
            apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'
            metadata   = @{ name = $Name; namespace = 'argocd'; annotations = $annotations }
            spec       = @{ project = 'default'; destination = @{ name = 'in-cluster'; namespace = $Name }
                source = @{ repoURL = $RepoUrl; path = "apps/$Name"; targetRevision = 'main'; helm = @{} } }
        }
        $null = Invoke-RestMethod -Method Post -Uri "$($Kube.url)__emulator/applications" -ContentType 'application/json' -Body ($app | ConvertTo-Json -Depth 20)
    }

    function New-Kubeconfig($Kube, [string] $Path) {
        @"
apiVersion: v1
kind: Config
current-context: emulator
clusters:
- name: emulator
  cluster: {server: $($Kube.url.TrimEnd('/'))}
contexts:
- name: emulator
  context: {cluster: emulator, user: reader}
users:
- name: reader
  user: {token: $($Kube.token)}
"@ | Set-Content $Path
        $Path
    }

    function Get-Results($Out) { @($Out | Where-Object { $_.PSObject.TypeNames[0] -eq 'ImageUpdater.ImageUpdateResult' }) }
}

AfterAll {
    if ($Ecr) { $Ecr.Stop() }
}

Describe 'git:repocreds: Argo CD''s repository secrets through the Kubernetes API' {
    BeforeAll {
        $script:repo = New-Repository 'web', 'api', 'pipe'
        $script:git = Start-Emulator git-http @('--root', $repo.Root, '--user', 'argo', '--password', 'REPOCREDS-TOKEN-d41')
        $script:url = $git.url + 'gitops.git'
        # A repository secret with no credential for this exact URL (Argo CD then uses the template), and a repo-creds template
        # for the server; a Helm repository secret with the same prefix is not a git credential.
        $script:kube = Start-Emulator kube @(
            '--secret', "argocd/repo-gitops=url:$($url.ToUpperInvariant().Replace('HTTP://', 'http://'))", '--secret-label', 'argocd/repo-gitops=argocd.argoproj.io/secret-type=repository',
            '--secret', "argocd/creds-server=url:$($git.url.TrimEnd('/'))", '--secret', 'argocd/creds-server=username:argo', '--secret', 'argocd/creds-server=password:REPOCREDS-TOKEN-d41',
            '--secret-label', 'argocd/creds-server=argocd.argoproj.io/secret-type=repo-creds',
            '--secret', "argocd/helm-charts=url:$($git.url)", '--secret', 'argocd/helm-charts=type:helm', '--secret', 'argocd/helm-charts=password:WRONG',
            '--secret-label', 'argocd/helm-charts=argocd.argoproj.io/secret-type=repo-creds',
            '--forbid-namespace', 'locked')
        Add-Application $kube 'web' $url 'git'
        Add-Application $kube 'api' $url 'git:repocreds'
        $script:kubeconfig = New-Kubeconfig $kube (Join-Path $TestDrive 'repocreds-kubeconfig')
    }
    AfterAll { if ($git) { $git.Stop() }; if ($kube) { $kube.Stop() } }

    It 'Invoke-ImageUpdater -Kubeconfig pushes with the repo-creds template that covers the URL, and shows no secret' {
        $out = Invoke-ImageUpdater -Kubeconfig $kubeconfig -WorkingDirectory (Join-Path $TestDrive 'rc-cache') @Aws -Verbose -ErrorVariable errs -ErrorAction SilentlyContinue 4>&1

        $errs | Should -BeNullOrEmpty
        (Get-Results $out).Status | Should -Be @('Updated', 'Updated')
        (Invoke-Git -C $repo.Bare show main:apps/web/values.yaml) -join "`n" | Should -Match 'tag: 1\.2\.0'
        ($out | Out-String) | Should -Match 'secret argocd/creds-server'
        ($out | Out-String) | Should -Not -Match 'REPOCREDS-TOKEN'
        Get-ChildItem (Join-Path $TestDrive 'rc-cache') -Recurse -File -Filter config | ForEach-Object { Get-Content $_.FullName -Raw } | Should -Not -Match 'REPOCREDS-TOKEN'
    }

    It 'Update-HelmImageTag -Kubeconfig does the same on the pipeline path' {
        Add-Application $kube 'pipe' $url 'git'
        $results = Get-ArgoApplication -Kubeconfig $kubeconfig -Name pipe | Find-EcrTag @Aws |
            Update-HelmImageTag -Kubeconfig $kubeconfig -Context emulator -WorkingDirectory (Join-Path $TestDrive 'rc-pipe-cache') -Confirm:$false

        $results.Status | Should -Be 'Updated'
        (Invoke-Git -C $repo.Bare show main:apps/pipe/values.yaml) -join "`n" | Should -Match 'tag: 1\.2\.0'
    }

    It 'without -Kubeconfig (only the Argo CD API at hand) the error says what to pass and grant; a forbidden namespace names the verb' {
        Invoke-Git -C $repo.Bare update-ref refs/heads/main 'main~1' | Out-Null
        $candidates = Get-ArgoApplication -Kubeconfig $kubeconfig -Name pipe | Find-EcrTag @Aws
        $null = $candidates | Update-HelmImageTag -WorkingDirectory (Join-Path $TestDrive 'rc-none') -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitCredentialRequired,*'
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].Exception.Message | Should -Match 'pass -Kubeconfig'
        $errs[0].Exception.Message | Should -Match "'list' on secrets"

        $null = $candidates | Update-HelmImageTag -Kubeconfig $kubeconfig -ArgoCDNamespace locked -WorkingDirectory (Join-Path $TestDrive 'rc-locked') -Confirm:$false -ErrorVariable denied -ErrorAction SilentlyContinue
        $denied[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $denied[0].Exception.Message | Should -Match "grant the kubeconfig's user 'list' on secrets in namespace 'locked'"
    }
}

Describe 'git:secret: on the pipeline path' {
    BeforeAll {
        $script:repo = New-Repository 'web'
        $script:git = Start-Emulator git-http @('--root', $repo.Root, '--user', 'bot', '--password', 'PIPE-SECRET-TOKEN-8e0')
        $script:url = $git.url + 'gitops.git'
        $script:kube = Start-Emulator kube @('--secret', 'argocd/git-creds=username:bot', '--secret', 'argocd/git-creds=password:PIPE-SECRET-TOKEN-8e0')
        Add-Application $kube 'web' $url 'git:secret:argocd/git-creds'
        $script:kubeconfig = New-Kubeconfig $kube (Join-Path $TestDrive 'pipe-secret-kubeconfig')
    }
    AfterAll { if ($git) { $git.Stop() }; if ($kube) { $kube.Stop() } }

    It 'Update-HelmImageTag -Kubeconfig reads the secret and pushes' {
        $results = Get-ArgoApplication -Kubeconfig $kubeconfig | Find-EcrTag @Aws |
            Update-HelmImageTag -Kubeconfig $kubeconfig -WorkingDirectory (Join-Path $TestDrive 'ps-cache') -Confirm:$false -ErrorVariable errs

        $errs | Should -BeNullOrEmpty
        $results.Status | Should -Be 'Updated'
        ($results | Out-String) | Should -Not -Match 'PIPE-SECRET'
    }
}

Describe 'GitHub App installation tokens' {
    BeforeAll {
        $script:repo = New-Repository 'web', 'api'
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $script:keyFile = Join-Path $TestDrive 'app.pem'
        Set-Content $keyFile $rsa.ExportRSAPrivateKeyPem()
        $pub = Join-Path $TestDrive 'app.pub.pem'
        Set-Content $pub $rsa.ExportSubjectPublicKeyInfoPem()
        # The stand-in answers with the Installation Token example of the shared GitHub model (required in CI).
        $shared = Get-SharedDataPath
        if (-not $shared -and (Test-IsCI)) { throw '../shared/data is missing: the GitHub stand-in is built from api-models/github-rest-excerpt.json.' }
        $model = if ($shared) { @('--model', (Join-Path $shared 'api-models/github-rest-excerpt.json')) } else { @() }
        $script:github = Start-Emulator github-app (@('--app-id', '31337', '--installation-id', '4711', '--public-key', $pub, '--token', 'ghs_ISSUE16APPTOKEN9f') + $model)
        $script:git = Start-Emulator git-http @('--root', $repo.Root, '--user', 'x-access-token', '--password', 'ghs_ISSUE16APPTOKEN9f')
        $script:url = $git.url + 'gitops.git'
        $script:kube = Start-Emulator kube @(
            '--secret', 'argocd/gh-app=githubAppID:31337', '--secret', 'argocd/gh-app=githubAppInstallationID:4711',
            '--secret', "argocd/gh-app=githubAppPrivateKey:$($rsa.ExportRSAPrivateKeyPem())", '--secret', "argocd/gh-app=githubAppEnterpriseBaseUrl:$($github.url)")
        Add-Application $kube 'web' $url 'git'
        Add-Application $kube 'api' $url 'git:secret:argocd/gh-app'
        $script:kubeconfig = New-Kubeconfig $kube (Join-Path $TestDrive 'gh-kubeconfig')
    }
    AfterAll { if ($git) { $git.Stop() }; if ($github) { $github.Stop() }; if ($kube) { $kube.Stop() } }

    It 'parameters: the JWT is exchanged once for a token that pushes; neither key nor token is shown' {
        $out = Invoke-ImageUpdater -Kubeconfig $kubeconfig -Name web -WorkingDirectory (Join-Path $TestDrive 'gh-cache') @Aws -Verbose `
            -GitHubAppId 31337 -GitHubAppInstallationId 4711 -GitHubAppPrivateKeyPath $keyFile -GitHubAppEnterpriseBaseUrl $github.url -ErrorVariable errs 4>&1

        $errs | Should -BeNullOrEmpty
        (Get-Results $out).Status | Should -Be 'Updated'
        (Invoke-RestMethod "$($github.url)__emulator/stats").exchanges | Should -Be 1
        ($out | Out-String) | Should -Not -Match 'ghs_|PRIVATE KEY'
        Get-ChildItem (Join-Path $TestDrive 'gh-cache') -Recurse -File -Filter config | ForEach-Object { Get-Content $_.FullName -Raw } | Should -Not -Match 'ghs_'
    }

    It 'a git:secret: with githubApp* keys pushes with the cached installation token' {
        $results = Get-Results (Invoke-ImageUpdater -Kubeconfig $kubeconfig -Name api -WorkingDirectory (Join-Path $TestDrive 'gh-cache') @Aws -ErrorVariable errs)
        $errs | Should -BeNullOrEmpty
        $results.Status | Should -Be 'Updated'
        (Invoke-RestMethod "$($github.url)__emulator/stats").exchanges | Should -Be 1 -Because 'the same app, installation, key and API reuse the token until shortly before it expires'
    }

    It 'a key GitHub does not know is an AuthenticationError naming the app, without the key' {
        $other = Join-Path $TestDrive 'other.pem'
        Set-Content $other ([System.Security.Cryptography.RSA]::Create(2048).ExportRSAPrivateKeyPem())
        Invoke-Git -C $repo.Bare update-ref refs/heads/main 'main~1' | Out-Null
        $null = Invoke-ImageUpdater -Kubeconfig $kubeconfig -Name web -WorkingDirectory (Join-Path $TestDrive 'gh-cache2') @Aws `
            -GitHubAppId 31337 -GitHubAppInstallationId 4711 -GitHubAppPrivateKeyPath $other -GitHubAppEnterpriseBaseUrl $github.url -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitHubAppAuthenticationFailed,*'
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($errs | Out-String) | Should -Not -Match 'PRIVATE KEY'
        (Invoke-RestMethod "$($github.url)__emulator/stats").refused | Should -BeGreaterThan 0
    }
}

Describe 'Signed commits' {
    BeforeAll {
        $script:repo = New-Repository 'web', 'api', 'rogue'
        $script:seedCommit = Invoke-Git -C $repo.Bare rev-parse main
        $script:kube = Start-Emulator kube
        $fileUrl = [Uri]::new($repo.Bare).AbsoluteUri
        Add-Application $kube 'web' $fileUrl 'git'
        Add-Application $kube 'api' $fileUrl 'git' @{ 'git.commit-signing-method' = 'ssh'; 'git.commit-sign-off' = 'true' }
        Add-Application $kube 'rogue' $fileUrl 'git' @{ 'git.commit-signing-key' = '/root/.ssh/id_ed25519'; 'git.commit-signing-method' = 'ssh' }
        $script:kubeconfig = New-Kubeconfig $kube (Join-Path $TestDrive 'sign-kubeconfig')

        $script:gnupg = Join-Path $TestDrive 'gnupg'
        $null = New-Item -ItemType Directory $gnupg
        & chmod 700 $gnupg
        $env:GNUPGHOME = $gnupg
        & gpg --batch --passphrase '' --quick-generate-key 'Image Updater <bot@example.com>' ed25519 sign never 2>$null
        $script:fingerprint = ((& gpg --batch --with-colons --list-secret-keys 2>$null) | Where-Object { $_ -like 'fpr:*' } | Select-Object -First 1).Split(':')[9]

        $script:sshKey = Join-Path $TestDrive 'signing_key'
        & ssh-keygen -q -t ed25519 -N '' -C 'bot' -f $sshKey
        $script:signers = Join-Path $TestDrive 'allowed_signers'
        "noreply@argoproj.io $(Get-Content "$sshKey.pub")" | Set-Content $signers
    }
    AfterAll { if ($kube) { $kube.Stop() }; Remove-Item Env:GNUPGHOME -ErrorAction SilentlyContinue }

    It 'GnuPG: the pushed commit is verified by git verify-commit and carries the sign-off' {
        $results = Get-Results (Invoke-ImageUpdater -Kubeconfig $kubeconfig -Name web -WorkingDirectory (Join-Path $TestDrive 'sign-cache') @Aws `
                -CommitSigningKey $fingerprint -CommitSignOff -AllowLocalRepository)

        $results.Status | Should -Be 'Updated'
        $verify = & git -C $repo.Bare verify-commit -v main 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($verify -join "`n")
        ($verify -join "`n") | Should -Match 'Good signature from "Image Updater <bot@example.com>"'
        (Invoke-Git -C $repo.Bare log -1 --format=%B main) -join "`n" | Should -Match 'Signed-off-by: argocd-image-updater <noreply@argoproj.io>'
    }

    It 'SSH: the annotation picks the ssh method for the operator''s key and asks for sign-off; git verifies with allowedSignersFile' {
        $results = Get-Results (Invoke-ImageUpdater -Kubeconfig $kubeconfig -Name api -WorkingDirectory (Join-Path $TestDrive 'sign-cache') @Aws -CommitSigningKey $sshKey -AllowLocalRepository)

        $results.Status | Should -Be 'Updated'
        $verify = & git -C $repo.Bare -c gpg.format=ssh -c "gpg.ssh.allowedSignersFile=$signers" verify-commit main 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($verify -join "`n")
        ($verify -join "`n") | Should -Match 'Good "git" signature for noreply@argoproj.io'
        (Invoke-Git -C $repo.Bare log -1 --format=%B main) -join "`n" | Should -Match 'Signed-off-by:'
    }

    It 'an annotated key the operator did not allow fails that application before anything is committed' {
        $before = Invoke-Git -C $repo.Bare rev-parse main
        $null = Invoke-ImageUpdater -Kubeconfig $kubeconfig -Name rogue -WorkingDirectory (Join-Path $TestDrive 'sign-cache') @Aws -CommitSigningKey $sshKey `
            -CommitSigningMethod Ssh -AllowLocalRepository -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitSigningKeyNotAllowed,*'
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].Exception.Message | Should -Match "rogue"
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $before
    }

    It 'a key gpg cannot use fails before anything is pushed' {
        Invoke-Git -C $repo.Bare update-ref refs/heads/main $seedCommit | Out-Null
        $before = Invoke-Git -C $repo.Bare rev-parse main
        $null = Invoke-ImageUpdater -Kubeconfig $kubeconfig -Name web -WorkingDirectory (Join-Path $TestDrive 'sign-cache2') @Aws -CommitSigningKey 'nobody@example.invalid' `
            -AllowLocalRepository -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitSigningFailed,*'
        Invoke-Git -C $repo.Bare rev-parse main | Should -Be $before
    }
}
