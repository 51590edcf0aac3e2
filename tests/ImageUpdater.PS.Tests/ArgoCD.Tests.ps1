BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:data = Get-SharedDataPath
    if (-not $data) {
        if (Test-IsCI) { throw '../shared/data is missing, and under CI=true the Argo CD tests must run.' }
        $script:skipReason = '../shared/data is absent: the emulator serves its real Application documents.'
    }

    function ConvertTo-Secret([string] $Text) { ConvertTo-SecureString -String $Text -AsPlainText -Force }

    # Creates or replaces an Application in the emulator through its test hook.
    function Add-EmulatedApp($Server, [hashtable] $App) {
        $null = Invoke-RestMethod -Method Post -Uri "$($Server.url)__emulator/applications" -ContentType 'application/json' -Body ($App | ConvertTo-Json -Depth 20)
    }

    function New-App([string] $Name, [string] $Project = 'default', [hashtable] $Labels = @{}, [string] $Namespace = 'argocd', [hashtable] $Annotations = @{}, [hashtable] $Spec = $null) {
        $notes = @{}
        foreach ($k in $Annotations.Keys) { $notes["argocd-image-updater.argoproj.io/$k"] = $Annotations[$k] }
        if (-not $Spec) { $Spec = @{ source = @{ repoURL = 'https://git.example.com/gitops.git'; path = "apps/$Name"; helm = @{} } } }
        $Spec.project = $Project
        $Spec.destination = @{ name = 'in-cluster'; namespace = $Name }
        @{
            apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'
            metadata   = @{ name = $Name; namespace = $Namespace; labels = $Labels; annotations = $notes }
            spec       = $Spec
            status     = @{ summary = @{ images = @("ghcr.io/acme/${Name}:1.0.0") } }
        }
    }
}

Describe 'Connect-ArgoCD and Disconnect-ArgoCD' {
    BeforeAll {
        if ($skipReason) { return }
        $script:argo = Start-Emulator argocd @('--documents', (Join-Path $data 'api-models'), '--tls')
        $script:savedEnv = @{ ARGOCD_SERVER = $env:ARGOCD_SERVER; ARGOCD_AUTH_TOKEN = $env:ARGOCD_AUTH_TOKEN }
        $env:ARGOCD_SERVER = $null; $env:ARGOCD_AUTH_TOKEN = $null
    }
    AfterAll {
        if ($argo) { $argo.Stop() }
        Disconnect-ArgoCD
        $env:ARGOCD_SERVER = $savedEnv.ARGOCD_SERVER; $env:ARGOCD_AUTH_TOKEN = $savedEnv.ARGOCD_AUTH_TOKEN
    }
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        Disconnect-ArgoCD
    }

    It 'connects with -Token, shows the account but never the token, and later cmdlets use the session' {
        $token = $argo.tokens.'image-updater'
        $connection = Connect-ArgoCD -Server $argo.url -Token (ConvertTo-Secret $token) -PassThru -Verbose 4>&1
        $verbose = @($connection | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $connection = $connection | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $connection.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ArgoCDConnection'
        "$($connection.Server)" | Should -Be $argo.url
        $connection.Account | Should -Be 'image-updater'
        ($connection | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($token))
        ($connection | Out-String) | Should -Match 'image-updater'
        ($verbose | Out-String) | Should -Match 'userinfo'
        ($verbose | Out-String) | Should -Not -Match ([regex]::Escape($token))

        (Get-ArgoApplication).Name | Sort-Object | Should -Be @('argo-workflows', 'velero-test')
    }

    It 'takes the token from ARGOCD_AUTH_TOKEN and the server from ARGOCD_SERVER' {
        try {
            $env:ARGOCD_SERVER = $argo.url
            $env:ARGOCD_AUTH_TOKEN = $argo.tokens.readonly
            (Connect-ArgoCD -PassThru).Account | Should -Be 'readonly'
        }
        finally { $env:ARGOCD_SERVER = $null; $env:ARGOCD_AUTH_TOKEN = $null }
        (Get-ArgoApplication -Name argo-workflows).Project | Should -Be 'default'
    }

    It 'logs in with -Credential through POST /api/v1/session' {
        $credential = [pscredential]::new('admin', (ConvertTo-Secret $argo.passwords.admin))
        (Connect-ArgoCD -Server $argo.url -Credential $credential -PassThru).Account | Should -Be 'admin'
        (Get-ArgoApplication -Project sre).Name | Should -Be 'velero-test'
    }

    It 'rejects a wrong password and an expired token as AuthenticationError without showing them, keeping no session' {
        $credential = [pscredential]::new('admin', (ConvertTo-Secret 'not-the-password'))
        $err = { Connect-ArgoCD -Server $argo.url -Credential $credential } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Not -Match 'not-the-password'

        $err = { Connect-ArgoCD -Server $argo.url -Token (ConvertTo-Secret $argo.expiredToken) } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match 'token expired or invalid'
        ($err | Out-String) | Should -Not -Match ([regex]::Escape($argo.expiredToken))

        $err = { Get-ArgoApplication } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ArgoCDNotConnected,*'
    }

    It 'says a TLS failure is one and suggests -SkipCertificateCheck only for test servers' {
        $err = { Connect-ArgoCD -Server $argo.tlsUrl -Token (ConvertTo-Secret $argo.tokens.admin) } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -Match 'TLS'
        $err.Exception.Message | Should -Match 'only for a test server .*-SkipCertificateCheck'
    }

    It 'says on the information stream what it connected to when there is no -PassThru, and outputs nothing' {
        $token = $argo.tokens.'image-updater'
        $out = @(Connect-ArgoCD -Server $argo.url -Token (ConvertTo-Secret $token) 6>$null)
        $out.Count | Should -Be 0
        $info = @(Connect-ArgoCD -Server $argo.url -Token (ConvertTo-Secret $token) 6>&1)
        $info.Count | Should -Be 1
        $info[0] | Should -BeOfType [System.Management.Automation.InformationRecord]
        "$info" | Should -Be "Connected to Argo CD at $($argo.url) as 'image-updater'."
        "$info" | Should -Not -Match ([regex]::Escape($token))
        @(Connect-ArgoCD -Server $argo.url -Token (ConvertTo-Secret $token) -PassThru 6>&1 | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }).Count | Should -Be 0
    }

    It 'takes -Token as a plain string too, as AWS Tools takes -SecretKey, and never shows it' {
        $token = $argo.tokens.'image-updater'
        (Connect-ArgoCD -Server $argo.url -Token $token -PassThru -Verbose 4>$null).Account | Should -Be 'image-updater'
        (Get-ArgoApplication -Server $argo.url -Token $argo.tokens.readonly -Name argo-workflows).Project | Should -Be 'default'

        $Error.Clear()
        $plain = 'plain-wrong-token-0001'
        $err = { Connect-ArgoCD -Server $argo.url -Token $plain } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($err | Format-List * -Force | Out-String) | Should -Not -Match 'plain-wrong-token-0001'
        ($err.Exception | Format-List * -Force | Out-String) | Should -Not -Match 'plain-wrong-token-0001'
        ($err.InvocationInfo.BoundParameters.Values | Out-String) | Should -Not -Match 'plain-wrong-token-0001'
    }

    It 'forgets the session on Disconnect-ArgoCD' {
        Connect-ArgoCD -Server $argo.url -Token (ConvertTo-Secret $argo.tokens.admin) 6>$null
        Disconnect-ArgoCD
        $err = { Get-ArgoApplication } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'Connect-ArgoCD'
    }
}

Describe 'Get-ArgoApplication -Server' {
    BeforeAll {
        if ($skipReason) { return }
        $script:argo = Start-Emulator argocd @('--documents', (Join-Path $data 'api-models'), '--account', 'nobody')
        Add-EmulatedApp $argo (New-App 'shop-web' -Project shop -Labels @{ team = 'shop'; env = 'prod' })
        Add-EmulatedApp $argo (New-App 'shop-api' -Project shop -Labels @{ team = 'shop'; env = 'dev' })
        Add-EmulatedApp $argo (New-App 'billing' -Project finance -Namespace 'apps' -Labels @{ team = 'finance' })
        $script:token = ConvertTo-Secret $argo.tokens.'image-updater'
        Disconnect-ArgoCD
    }
    AfterAll { if ($argo) { $argo.Stop() } }
    BeforeEach { if ($skipReason) { Set-ItResult -Skipped -Because $skipReason } }

    It 'lists every application the token may get, with live images and the server as origin' {
        $apps = Get-ArgoApplication -Server $argo.url -Token $token
        $apps.Name | Sort-Object | Should -Be @('argo-workflows', 'billing', 'shop-api', 'shop-web', 'velero-test')
        $velero = $apps | Where-Object Name -EQ 'velero-test'
        $velero.LiveImages | Should -Be @('nginx:latest')
        $velero.Project | Should -Be 'sre'
        $velero.Origin | Should -Be $argo.url
        $velero.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ArgoApplication'
    }

    It 'filters by -Project, -Selector and -AppNamespace on the server' {
        (Get-ArgoApplication -Server $argo.url -Token $token -Project shop).Name | Sort-Object | Should -Be @('shop-api', 'shop-web')
        (Get-ArgoApplication -Server $argo.url -Token $token -Project shop, finance).Name | Sort-Object | Should -Be @('billing', 'shop-api', 'shop-web')
        (Get-ArgoApplication -Server $argo.url -Token $token -Selector 'team=shop,env!=dev').Name | Should -Be 'shop-web'
        (Get-ArgoApplication -Server $argo.url -Token $token -AppNamespace apps).Name | Should -Be 'billing'
        $requests = Invoke-RestMethod "$($argo.url)__emulator/requests"
        $requests.query | Should -Contain '?selector=team%3Dshop%2Cenv%21%3Ddev'
    }

    It 'warns about a project that matched nothing' {
        $apps = Get-ArgoApplication -Server $argo.url -Token $token -Project shop, nope -WarningVariable warnings -WarningAction SilentlyContinue
        $apps.Name | Sort-Object | Should -Be @('shop-api', 'shop-web')
        "$warnings" | Should -Be "Project 'nope' matched no Application at $($argo.url)."
    }

    It 'filters names with wildcards and fetches exact names one by one' {
        (Get-ArgoApplication -Server $argo.url -Token $token -Name 'shop-*', 'ARGO*').Name | Sort-Object | Should -Be @('argo-workflows', 'shop-api', 'shop-web')
        $verbose = Get-ArgoApplication -Server $argo.url -Token $token -Name shop-web -Verbose 4>&1
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Match 'GET .*api/v1/applications/shop-web'
        ($verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Name | Should -Be 'shop-web'
    }

    It 'reports an expired token as AuthenticationError (401), non-terminating' {
        $result = Get-ArgoApplication -Server $argo.url -Token (ConvertTo-Secret $argo.expiredToken) -ErrorVariable errs -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].Exception.Message | Should -Match 'token expired or invalid'
        $errs[0].Exception.Message | Should -Not -Match ([regex]::Escape($argo.expiredToken))
    }

    It 'reports a missing permission as PermissionDenied naming the RBAC permission (403)' {
        $null = Get-ArgoApplication -Server $argo.url -Token (ConvertTo-Secret $argo.tokens.nobody) -Name shop-web, shop-api -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 2
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape("'applications, get, */shop-web'"))
        $errs[0].Exception.Message | Should -Match 'policy.csv'
    }

    It 'reports a missing application in a project as ObjectNotFound (404)' {
        $null = Get-ArgoApplication -Server $argo.url -Token $token -Name nope -Project shop -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ArgoApplicationNotFound,*'
        $errs[0].TargetObject | Should -Be 'nope'
    }
}

Describe 'Get-ArgoApplication -Kubeconfig' {
    BeforeAll {
        if ($skipReason) { return }
        $script:kube = Start-Emulator kube @('--documents', (Join-Path $data 'api-models'))
        Add-EmulatedApp $kube (New-App 'shop-web' -Project shop -Labels @{ team = 'shop' })
        Add-EmulatedApp $kube (New-App 'shop-api' -Project shop -Labels @{ team = 'shop' })
        $script:kubeconfig = Join-Path $TestDrive 'kubeconfig'
        @"
apiVersion: v1
kind: Config
current-context: emulator
clusters:
- name: emulator
  cluster:
    server: $($kube.url.TrimEnd('/'))
contexts:
- name: emulator
  context: {cluster: emulator, user: reader}
- name: stale
  context: {cluster: emulator, user: stale}
users:
- name: reader
  user: {token: $($kube.token)}
- name: stale
  user: {token: expired}
"@ | Set-Content $kubeconfig
    }
    AfterAll { if ($kube) { $kube.Stop() } }
    BeforeEach { if ($skipReason) { Set-ItResult -Skipped -Because $skipReason } }

    It 'lists the Applications of the argocd namespace by default, with a selector, names and projects' {
        (Get-ArgoApplication -Kubeconfig $kubeconfig).Name | Sort-Object | Should -Be @('argo-workflows', 'shop-api', 'shop-web')
        (Get-ArgoApplication -Kubeconfig $kubeconfig -Selector team=shop -Name '*web').Name | Should -Be 'shop-web'
        (Get-ArgoApplication -Kubeconfig $kubeconfig -Project default).Name | Should -Be 'argo-workflows'
        $velero = Get-ArgoApplication -Kubeconfig $kubeconfig -Context emulator -Namespace argo-cd -Name velero-test
        $velero.LiveImages | Should -Be @('nginx:latest')
        $velero.Origin | Should -Be $kube.url.TrimEnd('/')
    }

    It 'reports a missing application, bad credentials and a missing kubeconfig' {
        $null = Get-ArgoApplication -Kubeconfig $kubeconfig -Name nope -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $null = Get-ArgoApplication -Kubeconfig $kubeconfig -Context stale -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err = { Get-ArgoApplication -Kubeconfig (Join-Path $TestDrive 'none') } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'KubeconfigNotFound,*'
    }
}

Describe 'Update-HelmImageTag with the argocd write-back method' {
    BeforeAll {
        if ($skipReason) { return }
        $script:argo = Start-Emulator argocd @('--documents', (Join-Path $data 'api-models'))
        $script:helmNames = @{ 'web.helm.image-name' = 'image.repository'; 'web.helm.image-tag' = 'image.tag' }
        $script:savedEnv = @{ ARGOCD_SERVER = $env:ARGOCD_SERVER; ARGOCD_AUTH_TOKEN = $env:ARGOCD_AUTH_TOKEN }
        $env:ARGOCD_SERVER = $null; $env:ARGOCD_AUTH_TOKEN = $null

        function Reset-Apps {
            Add-EmulatedApp $argo (New-App 'helm-web' -Annotations (@{ 'image-list' = 'web=ghcr.io/acme/web:~1.4' } + $helmNames) -Spec @{
                    source = @{ repoURL = 'https://git.example.com/web.git'; path = 'chart'; helm = @{ parameters = @(@{ name = 'replicas'; value = '2' }) } } })
            Add-EmulatedApp $argo (New-App 'kustomize-api' -Annotations @{ 'image-list' = 'api=ghcr.io/acme/api:~2'; 'api.kustomize.image-name' = 'acme/api' } -Spec @{
                    source = @{ repoURL = 'https://git.example.com/api.git'; path = 'overlays/prod'; kustomize = @{ images = @('redis:7.2', 'acme/api=ghcr.io/acme/api:2.0.0') } } })
            Add-EmulatedApp $argo (New-App 'multi' -Annotations (@{ 'image-list' = 'web=ghcr.io/acme/web:~1.4' } + $helmNames) -Spec @{
                    sources = @(
                        @{ repoURL = 'https://git.example.com/values.git'; targetRevision = 'main'; ref = 'values' },
                        @{ repoURL = 'https://charts.example.com'; chart = 'web'; targetRevision = '1.0.0'; helm = @{ valueFiles = @('$values/web/values.yaml') } }) })
        }

        # A candidate as Find-EcrTag makes it: the application as read from the server, its first image, a new tag.
        # The types come from the module's own AssemblyLoadContext, so they are reached through a returned object, not a type literal.
        function New-Candidate([string] $Name, [string] $NewTag, $Application) {
            $app = if ($Application) { $Application } else { (Get-ArgoApplication -Name $Name -Project default).PSObject.BaseObject }
            $spec = (Get-ArgoApplication -Name helm-web -Project default).Images[0].PSObject.BaseObject
            $type = $app.GetType().Assembly.GetType('ImageUpdater.Core.Updating.ImageUpdateCandidate')
            $candidate = [Activator]::CreateInstance($type, [object[]] @($app, $(if ($Application) { $spec } else { $app.Images[0] })))
            $candidate.CurrentTag = '1.0.0'; $candidate.NewTag = $NewTag; $candidate.UpdateNeeded = $true
            $candidate
        }

        # The emulator's log of API requests; Invoke-RestMethod hands over a JSON array as one object, so unroll it.
        function Get-Patches { @((Invoke-RestMethod "$($argo.url)__emulator/requests") | ForEach-Object { $_ } | Where-Object method -EQ 'PATCH') }
    }
    AfterAll {
        if ($argo) { $argo.Stop() }
        Disconnect-ArgoCD
        $env:ARGOCD_SERVER = $savedEnv.ARGOCD_SERVER; $env:ARGOCD_AUTH_TOKEN = $savedEnv.ARGOCD_AUTH_TOKEN
    }
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason; return }
        Reset-Apps
        Connect-ArgoCD -Server $argo.url -Token (ConvertTo-Secret $argo.tokens.'image-updater') 6>$null
    }

    It 'writes Helm parameters {name, value, forceString: true} into spec.source.helm.parameters, from the pipeline' {
        $result = New-Candidate 'helm-web' '1.4.2' | Update-HelmImageTag
        $result.Status | Should -Be 'Updated'
        $result.Method | Should -Be 'argocd'
        $result.Target | Should -Be 'spec.source.helm.parameters'
        $result.NewTag | Should -Be '1.4.2'
        $result.Diff | Should -Match '"op": "test"'

        $parameters = (Get-ArgoApplication -Name helm-web).Sources[0].HelmParameters
        ($parameters | ForEach-Object { "$($_.Name)=$($_.Value)" }) | Should -Be @('replicas=2', 'image.repository=ghcr.io/acme/web', 'image.tag=1.4.2')
        ($parameters | Where-Object Name -EQ 'image.tag').ForceString | Should -BeTrue
    }

    It 'writes Kustomize images as orig=new:tag into spec.source.kustomize.images' {
        $result = Update-HelmImageTag -Candidate (New-Candidate 'kustomize-api' '2.1.0')
        $result.Status | Should -Be 'Updated'
        $result.Target | Should -Be 'spec.source.kustomize.images'
        (Get-ArgoApplication -Name kustomize-api).Sources[0].KustomizeImages | Should -Be @('redis:7.2', 'acme/api=ghcr.io/acme/api:2.1.0')
    }

    It 'writes the Helm source of a multi-source application, not the first source' {
        $result = Update-HelmImageTag -Candidate (New-Candidate 'multi' '1.4.3')
        $result.Target | Should -Be 'spec.sources[1].helm.parameters'
        $sources = (Get-ArgoApplication -Name multi).Sources
        $sources[0].HelmParameters | Should -BeNullOrEmpty
        ($sources[1].HelmParameters | Where-Object Name -EQ 'image.tag').Value | Should -Be '1.4.3'
        $sources[1].HelmValueFiles | Should -Be @('$values/web/values.yaml')
    }

    It 'shows the patch with -WhatIf and sends no PATCH' {
        $before = (Get-Patches).Count
        $before | Should -BeGreaterThan 0 -Because 'the earlier tests patched'
        $result = Update-HelmImageTag -Candidate (New-Candidate 'helm-web' '1.4.2') -WhatIf
        $result.Status | Should -Be 'WhatIf'
        $result.Diff | Should -Match '"path": "/spec/source/helm/parameters"'
        (Get-Patches).Count | Should -Be $before
        ((Get-ArgoApplication -Name helm-web).Sources[0].HelmParameters).Name | Should -Be @('replicas')
    }

    It 'detects a concurrent modification, reads again and keeps both changes' {
        $candidate = New-Candidate 'helm-web' '1.4.2'
        # Someone scales the app between our read and our PATCH.
        $null = Invoke-RestMethod -Method Post -Uri "$($argo.url)__emulator/applications/argocd/helm-web/interfere" -ContentType 'application/json' `
            -Body '[{"op":"replace","path":"/spec/source/helm/parameters/0/value","value":"5"}]'
        $output = Update-HelmImageTag -Candidate ($candidate) -Verbose 4>&1
        $result = $output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $result.Status | Should -Be 'Updated'
        $result.Message | Should -Match 'concurrent change'
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Match 'changed since it was read'

        $parameters = (Get-ArgoApplication -Name helm-web).Sources[0].HelmParameters
        ($parameters | Where-Object Name -EQ 'replicas').Value | Should -Be '5'
        ($parameters | Where-Object Name -EQ 'image.tag').Value | Should -Be '1.4.2'
        $patches = Get-Patches
        $patches.Count | Should -BeGreaterOrEqual 2
        ($patches[-1].body | ConvertFrom-Json).patch | Should -Match '"op":"test"'
    }

    It 'reports a token without update as PermissionDenied naming applications, update (403)' {
        Connect-ArgoCD -Server $argo.url -Token (ConvertTo-Secret $argo.tokens.readonly) 6>$null
        $result = Update-HelmImageTag -Candidate (New-Candidate 'helm-web' '1.4.2') -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape("'applications, update, default/helm-web'"))
    }

    It 'reports an expired token as AuthenticationError (401) and no connection as a clear error' {
        $candidate = New-Candidate 'helm-web' '1.4.2'
        Disconnect-ArgoCD
        $result = Update-HelmImageTag -Candidate ($candidate) -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ArgoCDNotConnected,*'

        try {
            $env:ARGOCD_SERVER = $argo.url; $env:ARGOCD_AUTH_TOKEN = $argo.expiredToken
            $null = Update-HelmImageTag -Candidate ($candidate) -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally { $env:ARGOCD_SERVER = $null; $env:ARGOCD_AUTH_TOKEN = $null }
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].Exception.Message | Should -Not -Match ([regex]::Escape($argo.expiredToken))
    }

    It 'reports an application deleted since it was read as ObjectNotFound (404)' {
        $real = (Get-ArgoApplication -Name helm-web).PSObject.BaseObject
        $deleted = [Activator]::CreateInstance($real.GetType(), [object[]] @('deleted-app'))
        $deleted.Project = 'default'
        $gone = New-Candidate -NewTag '1.4.2' -Application $deleted
        $result = Update-HelmImageTag -Candidate ($gone) -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
