BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # The real Debian docker-registry, started by the emulator host with htpasswd user alice and the demo images
    # (team/app 1.0.0 … latest with chosen build dates, team/multi v1/v2 as linux/amd64 + linux/arm64 indexes).
    $script:Missing = $null
    if (-not (Get-Command docker-registry -ErrorAction SilentlyContinue) -or -not (Get-Command htpasswd -ErrorAction SilentlyContinue)) {
        $script:Missing = 'docker-registry or htpasswd is not installed (apt-get install docker-registry apache2-utils)'
        if (Test-IsCI) { throw "$Missing, and under CI=true the registry tests must run." }
    }
    else {
        $script:Registry = Start-Emulator docker-registry @('--user', 'alice:s3cret-pw', '--seed')
        $script:RegistryHost = $Registry.host
    }
    $script:Alice = [pscredential]::new('alice', (ConvertTo-SecureString 's3cret-pw' -AsPlainText -Force))
    $script:Cache = Join-Path $TestDrive 'oci-metadata.json'
    $script:Day = [DateTimeOffset]::new(2024, 1, 1, 0, 0, 0, [TimeSpan]::Zero)
}

AfterAll {
    if ($Registry) { $Registry.Stop() }
}

Describe 'Find-ImageTag -Image against docker-registry' {
    BeforeEach {
        if ($Missing) { Set-ItResult -Skipped -Because $Missing }
    }

    It 'semver with a constraint: best first, typed output, Basic auth' {
        $tags = Find-ImageTag -Image "$RegistryHost/team/app" -Constraint '~1' -RegistryCredential $Alice -CachePath $Cache
        $tags.Tag | Should -Be @('1.2.0', '1.1.0', '1.0.0')
        $tags[0].PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageTag'
        $tags[0].Registry | Should -Be $RegistryHost
        $tags[0].Repository | Should -Be 'team/app'
    }

    It 'takes the constraint from the image reference, as an image-list entry does' {
        (Find-ImageTag "$RegistryHost/team/app:~1.1" -RegistryCredential $Alice -CachePath $Cache).Tag | Should -Be '1.1.0'
    }

    It 'newest-build reads config created dates; -First 1 is the winner' {
        $tag = Find-ImageTag "$RegistryHost/team/app" -UpdateStrategy newest-build -First 1 -RegistryCredential $Alice -CachePath $Cache
        $tag.Tag | Should -Be '1.1.0'
        $tag.CreatedAt | Should -Be $Day.AddDays(30)
        $tag.Digest | Should -Match '^sha256:[0-9a-f]{64}$'
        $tag.Platforms | Should -Be @('linux/amd64')
    }

    It 'multi-arch: the newest matching platform decides' {
        $all = Find-ImageTag "$RegistryHost/team/multi" -UpdateStrategy newest-build -Platform '*' -RegistryCredential $Alice -CachePath $Cache
        $all.Tag | Should -Be @('v1', 'v2')
        $all[0].Platforms | Should -Be @('linux/amd64', 'linux/arm64')
        $amd64 = Find-ImageTag "$RegistryHost/team/multi" -UpdateStrategy newest-build -Platform linux/amd64 -RegistryCredential $Alice -CachePath $Cache
        $amd64.Tag | Should -Be @('v2', 'v1')
        $amd64[0].CreatedAt | Should -Be $Day.AddDays(35)
        # Without -Platform only linux/amd64 images count (issue 14 item 10).
        (Find-ImageTag "$RegistryHost/team/multi" -UpdateStrategy newest-build -RegistryCredential $Alice -CachePath $Cache).Tag | Should -Be @('v2', 'v1')
    }

    It 'a repeated run only resolves tags with HEAD (the cache file holds the rest)' {
        $fresh = Join-Path $TestDrive 'fresh-cache.json'
        $first = Find-ImageTag "$RegistryHost/team/multi" -UpdateStrategy newest-build -Platform '*' -RegistryCredential $Alice -CachePath $fresh -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Registry requests:*' }
        $first.Message | Should -Match 'GET blob 4'
        Test-Path $fresh | Should -BeTrue
        $second = Find-ImageTag "$RegistryHost/team/multi" -UpdateStrategy newest-build -Platform '*' -RegistryCredential $Alice -CachePath $fresh -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Registry requests:*' }
        $second.Message | Should -Match 'HEAD manifest 2'
        $second.Message | Should -Not -Match 'GET blob'
        $second.Message | Should -Not -Match 'GET manifest'
    }

    It 'digest: the tracked tag pinned to its digest' {
        $tag = Find-ImageTag "$RegistryHost/team/app" -UpdateStrategy digest -Constraint latest -RegistryCredential $Alice -CachePath $Cache
        $tag.Tag | Should -Be 'latest'
        $tag.Digest | Should -Match '^sha256:'
    }

    It 'a wrong password is a non-terminating authentication error that never shows the password' {
        $bad = [pscredential]::new('alice', (ConvertTo-SecureString 'wrong-pw-123' -AsPlainText -Force))
        $out = Find-ImageTag "$RegistryHost/team/app" -RegistryCredential $bad -CachePath $Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'RegistryAuthenticationFailed*'
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].Exception.Message | Should -Match 'HTTP 401'
        $errs[0].Exception.Message | Should -Not -Match 'wrong-pw-123'
    }

    It 'an unknown repository is ObjectNotFound' {
        $null = Find-ImageTag "$RegistryHost/team/none" -RegistryCredential $Alice -CachePath $Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'RegistryRepositoryNotFound*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'takes images from the pipeline' {
        ("$RegistryHost/team/app:~1.0", "$RegistryHost/team/multi:v2" | Find-ImageTag -RegistryCredential $Alice -CachePath $Cache -First 1).Tag | Should -Be @('1.0.0', 'v2')
    }
}

Describe 'Find-ImageTag -RegistriesConfig' {
    BeforeEach {
        if ($Missing) { Set-ItResult -Skipped -Because $Missing }
    }

    It 'uses env: credentials of the entry whose prefix matches, from a ConfigMap manifest' {
        $cm = Join-Path $TestDrive 'cm.yaml'
        @"
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-image-updater-config
data:
  registries.conf: |
    registries:
    - name: Local
      api_url: $($Registry.url)
      prefix: $RegistryHost/team
      credentials: env:IU_PESTER_REGISTRY
      credsexpire: 1h
"@ | Set-Content $cm
        $env:IU_PESTER_REGISTRY = 'alice:s3cret-pw'
        try {
            (Find-ImageTag "$RegistryHost/team/app" -Constraint '~1.0' -RegistriesConfig $cm -CachePath $Cache).Tag | Should -Be '1.0.0'
        }
        finally { Remove-Item Env:IU_PESTER_REGISTRY }
    }

    It 'ext: script output is the credential; a failing script shows its stderr' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'ext: scripts are POSIX shell scripts here' }
        $good = Join-Path $TestDrive 'good.sh'
        "#!/bin/sh`necho 'alice:s3cret-pw'" | Set-Content $good
        $bad = Join-Path $TestDrive 'bad.sh'
        "#!/bin/sh`necho 'not shown: stdout'`necho 'token service unreachable' >&2`nexit 2" | Set-Content $bad
        chmod +x $good $bad
        $conf = Join-Path $TestDrive 'registries.conf'
        "registries:`n- name: Local`n  api_url: $($Registry.url)`n  prefix: $RegistryHost`n  credentials: ext:$good`n" | Set-Content $conf
        (Find-ImageTag "$RegistryHost/team/app:~1.2" -RegistriesConfig $conf -CachePath $Cache).Tag | Should -Be '1.2.0'

        "registries:`n- name: Local`n  api_url: $($Registry.url)`n  prefix: $RegistryHost`n  credentials: ext:$bad`n" | Set-Content $conf
        $null = Find-ImageTag "$RegistryHost/team/app" -RegistriesConfig $conf -CachePath $Cache -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'RegistryCredentialScriptFailed*'
        $errs[0].Exception.Message | Should -Match 'exited with code 2: token service unreachable'
        $errs[0].Exception.Message | Should -Not -Match 'not shown'
    }
}

Describe 'Find-ImageTag -RegistriesConfig errors' {
    It 'an unknown key stops the command with the file and line' {
        $conf = Join-Path $TestDrive 'bad.conf'
        "registries:`n- name: Hub`n  api_url: https://registry-1.docker.io`n  ratelimit: 10`n" | Set-Content $conf
        { Find-ImageTag nginx -RegistriesConfig $conf -ErrorAction Stop } | Should -Throw -ExpectedMessage "*bad.conf, line 4: unknown key 'ratelimit'*"
    }

    It 'a missing file is ObjectNotFound' {
        $err = { Find-ImageTag nginx -RegistriesConfig (Join-Path $TestDrive 'none.conf') } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'RegistriesConfigUnreadable*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'secret: credentials without a Kubernetes connection say so' {
        $conf = Join-Path $TestDrive 'secret.conf'
        "registries:`n- name: Local`n  api_url: http://127.0.0.1:9`n  prefix: 127.0.0.1:9`n  ping: no`n  credentials: secret:argocd/creds#auth`n" | Set-Content $conf
        $null = Find-ImageTag 127.0.0.1:9/team/app -RegistriesConfig $conf -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'KubernetesConnectionRequired*'
        $errs[0].Exception.Message | Should -Match "secret:argocd/creds#auth"
    }
}

Describe 'Find-ImageTag with Applications from Get-ArgoApplication' {
    BeforeAll {
        if (-not $Missing) {
            $script:Ecr = Start-Emulator ecr @('--images', 'team/api=3', '--key', 'AKIAPESTEROCI0000001:oci-secret')
            $script:SavedAws = @{}
            foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL_ECR') {
                $SavedAws[$name] = [Environment]::GetEnvironmentVariable($name)
            }
            $env:AWS_ACCESS_KEY_ID = 'AKIAPESTEROCI0000001'
            $env:AWS_SECRET_ACCESS_KEY = 'oci-secret'
            $env:AWS_SESSION_TOKEN = $null
            $env:AWS_REGION = $Ecr.region
            $env:AWS_ENDPOINT_URL_ECR = $Ecr.url
            $script:App = Join-Path $TestDrive 'app.yaml'
            @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$RegistryHost/team/app:~1.0, multi=$RegistryHost/team/multi, api=$($Ecr.registry)/team/api
    argocd-image-updater.argoproj.io/multi.update-strategy: newest-build
    argocd-image-updater.argoproj.io/multi.platforms: linux/amd64
spec:
  project: default
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/shop
    targetRevision: main
    helm:
      parameters:
      - name: web.image.tag
        value: 1.0.0
"@ | Set-Content $App
        }
    }

    AfterAll {
        if ($Ecr) { $Ecr.Stop() }
        if ($SavedAws) { foreach ($name in $SavedAws.Keys) { [Environment]::SetEnvironmentVariable($name, $SavedAws[$name]) } }
    }

    BeforeEach {
        if ($Missing) { Set-ItResult -Skipped -Because $Missing }
    }

    It 'one candidate per image; the ECR image takes the ECR API; no warnings' {
        $candidates = Get-ArgoApplication -Path $App | Find-ImageTag -RegistryCredential $Alice -CachePath $Cache -WarningVariable warned
        $warned | Should -BeNullOrEmpty
        $candidates.Count | Should -Be 3
        $candidates[0].PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageUpdateCandidate'
        ($candidates | Where-Object Alias -EQ 'web').NewTag | Should -Be '1.0.0'
        ($candidates | Where-Object Alias -EQ 'multi').NewTag | Should -Be 'v2'
        $api = $candidates | Where-Object Alias -EQ 'api'
        $api.NewTag | Should -Not -BeNullOrEmpty
        (Invoke-RestMethod "$($Ecr.url)__emulator/stats").DescribeImages | Should -BeGreaterThan 0
    }
}

Describe 'Find-ImageTag -Image of an ECR host' {
    BeforeAll {
        $script:EcrAlone = Start-Emulator ecr @('--images', 'team/api=3', '--key', 'AKIAPESTEROCI0000001:oci-secret')
    }
    AfterAll { if ($EcrAlone) { $EcrAlone.Stop() } }

    It 'takes the ECR API with the AWS parameters and AWS_ENDPOINT_URL_ECR, as every command routes it' {
        $saved = $env:AWS_ENDPOINT_URL_ECR
        $env:AWS_ENDPOINT_URL_ECR = $EcrAlone.url
        try {
            $tag = Find-ImageTag "$($EcrAlone.registry)/team/api" -First 1 -AccessKey AKIAPESTEROCI0000001 -SecretKey (ConvertTo-SecureString 'oci-secret' -AsPlainText -Force) -Region $EcrAlone.region -CachePath $Cache -Verbose 4>&1
        }
        finally { $env:AWS_ENDPOINT_URL_ECR = $saved }
        ($tag | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Tag | Should -Be '1.0.2'
        (($tag | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n") | Should -Match 'ECR API \(DescribeImages\)'
        (Invoke-RestMethod "$($EcrAlone.url)__emulator/stats").DescribeImages | Should -Be 1
    }

    It 'a PSCredential given to -Credential (the AWS parameter) says to use -RegistryCredential' {
        { Find-ImageTag "$($EcrAlone.registry)/team/api" -Credential ([pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force))) } |
            Should -Throw '*-RegistryCredential*'
    }
}

Describe 'Find-ImageTag with an image pull-secret annotation' {
    BeforeEach {
        if ($Missing) { Set-ItResult -Skipped -Because $Missing }
    }

    It 'the pull-secret credentials replace the registry''s, per image' {
        $app = Join-Path $TestDrive 'pull.yaml'
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: pull
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$RegistryHost/team/app:~1.1, other=$RegistryHost/team/multi:v1
    argocd-image-updater.argoproj.io/web.pull-secret: env:IU_PESTER_PULL
spec:
  project: default
  source:
    repoURL: https://git.example.com/gitops.git
    path: apps/pull
"@ | Set-Content $app
        $env:IU_PESTER_PULL = 'alice:s3cret-pw'
        try {
            $result = Get-ArgoApplication -Path $app | Find-ImageTag -CachePath $Cache -AllowPullSecret env:IU_PESTER_PULL -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally { Remove-Item Env:IU_PESTER_PULL }
        ($result | Where-Object Alias -EQ 'web').NewTag | Should -Be '1.1.0'
        # The other image has no pull secret and the registry no anonymous access.
        $errs.Count | Should -Be 1
        $errs[0].Exception.Message | Should -Match 'pull: .*team/multi: .*HTTP 401'
    }
}

Describe 'Find-ImageTag -Kubeconfig: secret: and pullsecret: credentials' {
    BeforeAll {
        if (-not $Missing) {
            $auth = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('alice:s3cret-pw'))
            $docker = '{"auths":{"' + $RegistryHost + '":{"auth":"' + $auth + '"}}}'
            $script:Kube = Start-Emulator kube @('--token', 'kube-token', '--secret', 'argocd/plain=creds:alice:s3cret-pw',
                '--secret', "argocd/regcred=.dockerconfigjson:$docker", '--forbid-namespace', 'locked')
            $script:Kubeconfig = Join-Path $TestDrive 'kubeconfig'
            @"
apiVersion: v1
kind: Config
current-context: emulator
clusters:
- name: emulator
  cluster:
    server: $($Kube.url.TrimEnd('/'))
contexts:
- name: emulator
  context:
    cluster: emulator
    user: reader
users:
- name: reader
  user:
    token: kube-token
"@ | Set-Content $Kubeconfig
            function script:New-Conf([string] $Credentials) {
                $path = Join-Path $TestDrive ('kube-' + [guid]::NewGuid().ToString('N') + '.conf')
                "registries:`n- name: Local`n  api_url: $($Registry.url)`n  prefix: $RegistryHost`n  credentials: $Credentials`n" | Set-Content $path
                return $path
            }
        }
    }

    AfterAll {
        if ($Kube) { $Kube.Stop() }
    }

    BeforeEach {
        if ($Missing) { Set-ItResult -Skipped -Because $Missing }
        elseif ($PSVersionTable.PSEdition -ne 'Core') { Set-ItResult -Skipped -Because 'KubernetesClient needs PowerShell 7' }
    }

    It 'secret:ns/name#field holds user:password' {
        (Find-ImageTag "$RegistryHost/team/app:~1.1" -RegistriesConfig (New-Conf 'secret:argocd/plain#creds') -Kubeconfig $Kubeconfig -CachePath $Cache).Tag | Should -Be '1.1.0'
    }

    It 'pullsecret:ns/name uses the .dockerconfigjson entry of the registry host' {
        (Find-ImageTag "$RegistryHost/team/app:~1.2" -RegistriesConfig (New-Conf 'pullsecret:argocd/regcred') -Kubeconfig $Kubeconfig -CachePath $Cache).Tag | Should -Be '1.2.0'
    }

    It 'a missing field, a missing secret and a forbidden namespace say what to do' {
        $null = Find-ImageTag "$RegistryHost/team/app" -RegistriesConfig (New-Conf 'secret:argocd/plain#password') -Kubeconfig $Kubeconfig -CachePath $Cache -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].Exception.Message | Should -Match "has no field 'password' \(fields: creds\)"
        $e1[0].Exception.Message | Should -Not -Match 's3cret'
        $null = Find-ImageTag "$RegistryHost/team/app" -RegistriesConfig (New-Conf 'secret:argocd/none#creds') -Kubeconfig $Kubeconfig -CachePath $Cache -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e2[0].Exception.Message | Should -Match 'There is no secret argocd/none'
        $null = Find-ImageTag "$RegistryHost/team/app" -RegistriesConfig (New-Conf 'secret:locked/plain#creds') -Kubeconfig $Kubeconfig -CachePath $Cache -ErrorVariable e3 -ErrorAction SilentlyContinue
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'KubernetesPermissionDenied*'
        $e3[0].Exception.Message | Should -Match "Grant the kubeconfig's user 'get' on secrets in namespace 'locked'"
    }
}
