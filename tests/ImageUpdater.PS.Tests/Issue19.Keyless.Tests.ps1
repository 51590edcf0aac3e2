# Issue 19, item 1: keyless AWS from Azure — the managed identity's Entra ID token (identity-endpoint stand-in) exchanged at
# STS (emulator) for a session that signs ECR calls (emulator); no AWS key anywhere in the process.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:Role = 'arn:aws:iam::123456789012:role/image-updater'
    $script:EntraToken = 'eyJ0eXAi.issue19-entra-token.sig'
    $script:IdentityHeader = 'issue19-identity-header-value'
    $script:Secrets = 'issue19-entra-token|issue19-identity-header-value|azure19-secret|azure19-session-token'
    $seed = Join-Path $TestDrive 'seed.json'
    '{"repositories":[{"name":"team/app","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200}]}]}' | Set-Content $seed
    $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', 'ASIAAZURE19000000001:azure19-secret:azure19-session-token')
    $script:Sts = Start-Emulator sts @('--token', $EntraToken, '--role', $Role, '--issue', 'ASIAAZURE19000000001:azure19-secret:azure19-session-token')
    $script:Identity = Start-Emulator azure-identity @('--mode', 'endpoint', '--header', $IdentityHeader, '--issue', $EntraToken)
    $script:Imds = Start-Emulator azure-identity @('--mode', 'imds', '--issue', $EntraToken, '--client-id', '5e29463d-0000-4fe0-8e69-999b57db23b0')

    # Nothing the AWS default chain could find: no keys, no profile, no web identity file, no instance metadata.
    $script:Variables = @{
        AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
        AWS_SHARED_CREDENTIALS_FILE = (Join-Path $TestDrive 'none'); AWS_CONFIG_FILE = (Join-Path $TestDrive 'none')
        AWS_WEB_IDENTITY_TOKEN_FILE = $null; AWS_ROLE_ARN = $null; AWS_ROLE_SESSION_NAME = $null
        AWS_EC2_METADATA_DISABLED = 'true'; AWS_REGION = 'us-east-1'
        AWS_ENDPOINT_URL_STS = $Sts.url.TrimEnd('/')
        IDENTITY_ENDPOINT = $Identity.url + 'msi/token'; IDENTITY_HEADER = $IdentityHeader
        AZURE_POD_IDENTITY_AUTHORITY_HOST = $null
    }
    $script:Saved = @{}
    foreach ($name in $Variables.Keys) {
        $Saved[$name] = [Environment]::GetEnvironmentVariable($name)
        if ($null -eq $Variables[$name]) { Remove-Item "env:$name" -ErrorAction SilentlyContinue } else { Set-Item "env:$name" $Variables[$name] }
    }
    $script:StoredCredentials = Get-Variable StoredAWSCredentials -Scope Global -ValueOnly -ErrorAction SilentlyContinue
    Remove-Variable StoredAWSCredentials -Scope Global -ErrorAction SilentlyContinue
}

AfterAll {
    foreach ($name in $Saved.Keys) { if ($null -eq $Saved[$name]) { Remove-Item "env:$name" -ErrorAction SilentlyContinue } else { Set-Item "env:$name" $Saved[$name] } }
    foreach ($emulator in $Ecr, $Sts, $Identity, $Imds) { if ($emulator) { $emulator.Stop() } }
}

Describe 'Keyless AWS from an Azure managed identity' {
    It 'has no AWS key anywhere in the process' {
        Get-ChildItem env: | Where-Object Name -Match '^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|WEB_IDENTITY_TOKEN_FILE)$' | Should -BeNullOrEmpty
        Test-Path (Join-Path $TestDrive 'none') | Should -BeFalse
    }

    It 'gets the Entra token from IDENTITY_ENDPOINT, exchanges it at STS and lists ECR tags with the session' {
        $before = Invoke-RestMethod "$($Sts.url)__emulator/stats"
        $tags = Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -AzureManagedIdentity -RoleArn $Role -Verbose -ErrorAction Stop 4>&1
        $verbose = @($tags | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        @($tags | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Tag | Should -Be @('1.1.0', '1.0.0')
        ($verbose.Message -join "`n") | Should -Match 'Azure managed identity'
        ($verbose.Message -join "`n") | Should -Match ([regex]::Escape($Role))
        (Invoke-RestMethod "$($Sts.url)__emulator/stats").AssumeRoleWithWebIdentity | Should -BeGreaterThan $before.AssumeRoleWithWebIdentity
        (Invoke-RestMethod "$($Identity.url)__emulator/stats").tokens | Should -BeGreaterOrEqual 1
        ($tags | Out-String) + ($verbose.Message -join "`n") | Should -Not -Match $Secrets
    }

    It 'reuses the session for the next command of the process (no second exchange)' {
        $before = (Invoke-RestMethod "$($Sts.url)__emulator/stats").AssumeRoleWithWebIdentity
        $null = Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -AzureManagedIdentity -RoleArn $Role -ErrorAction Stop
        (Invoke-RestMethod "$($Sts.url)__emulator/stats").AssumeRoleWithWebIdentity | Should -Be $before
    }

    It 'takes the role from AWS_ROLE_ARN, as Automation variables would set it' {
        $env:AWS_ROLE_ARN = $Role
        try { (Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -AzureManagedIdentity -First 1 -ErrorAction Stop).Tag | Should -Be '1.1.0' }
        finally { Remove-Item env:AWS_ROLE_ARN }
    }

    It 'runs Invoke-ImageUpdater with -AzureManagedIdentity -RoleArn (git write-back to a local bare repository)' {
        $root = Join-Path $TestDrive 'fleet'
        $bare = Join-Path $root 'gitops.git'; $seedDir = Join-Path $root 'seed'
        git init --quiet --bare --initial-branch=main $bare
        git clone --quiet $bare $seedDir 2>$null
        $null = New-Item -ItemType Directory (Join-Path $seedDir 'apps/keyless') -Force
        [IO.File]::WriteAllText((Join-Path $seedDir 'apps/keyless/values.yaml'), "image:`n  tag: 1.0.0`n")
        git -C $seedDir checkout --quiet -b main 2>$null
        git -C $seedDir add -A
        git -C $seedDir -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed
        git -C $seedDir push --quiet origin main 2>$null
        $app = Join-Path $root 'keyless.yaml'
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: keyless
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: app=123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.x
    argocd-image-updater.argoproj.io/app.helm.image-tag: image.tag
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: helmvalues:values.yaml
spec:
  project: default
  source:
    repoURL: $([Uri]::new($bare).AbsoluteUri)
    path: apps/keyless
    targetRevision: main
    helm: {}
"@ | Set-Content $app
        $results = @(Invoke-ImageUpdater -Path $app -WorkingDirectory (Join-Path $root 'cache') -EndpointUrl $Ecr.url -AzureManagedIdentity -RoleArn $Role -ErrorVariable errs -ErrorAction SilentlyContinue 6>$null)
        $errs | Should -BeNullOrEmpty
        $results.NewTag | Should -Be '1.1.0'
        $results.Status | Should -Be 'Updated'
        git -C $bare show main:apps/keyless/values.yaml | Should -Contain '  tag: 1.1.0'
        (git -C $bare log -1 --format=%B main | Out-String) | Should -Not -Match $Secrets
    }

    It 'gets the token from the instance metadata service for a user-assigned identity when there is no IDENTITY_ENDPOINT' {
        $saved = $env:IDENTITY_ENDPOINT
        Remove-Item env:IDENTITY_ENDPOINT; $env:AZURE_POD_IDENTITY_AUTHORITY_HOST = $Imds.url
        try {
            $tags = Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -AzureClientId '5e29463d-0000-4fe0-8e69-999b57db23b0' -RoleArn $Role -ErrorAction Stop
            $tags[0].Tag | Should -Be '1.1.0'
            (Invoke-RestMethod "$($Imds.url)__emulator/stats").tokens | Should -BeGreaterOrEqual 1
        }
        finally { $env:IDENTITY_ENDPOINT = $saved; Remove-Item env:AZURE_POD_IDENTITY_AUTHORITY_HOST }
    }

    It 'fails with an authentication error that says how to fix it, and no secret, when the identity header is wrong' {
        $env:IDENTITY_HEADER = 'stale-header-not-the-one'
        try {
            $out = Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -AzureManagedIdentity -RoleArn $Role -RoleSessionName 'wrong-header' -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally { $env:IDENTITY_HEADER = $IdentityHeader }
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errs[0].Exception.Message | Should -Match 'Enable the identity'
        ($errs[0] | Format-List * -Force | Out-String) + ($Error | Out-String) | Should -Not -Match "stale-header-not-the-one|$Secrets"
    }

    It 'fails with a permission error naming the trust policy when STS refuses the role' {
        $other = 'arn:aws:iam::123456789012:role/not-trusted'
        $null = Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -AzureManagedIdentity -RoleArn $other -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].Exception.Message | Should -Match 'trust policy'
        ($errs[0] | Format-List * -Force | Out-String) | Should -Not -Match $Secrets
    }

    It 'refuses -RoleArn without -AzureManagedIdentity, and a malformed role ARN, as invalid arguments' {
        $null = Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -RoleArn $Role -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].Exception.Message | Should -Match '-AzureManagedIdentity'
        $null = Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -AzureManagedIdentity -RoleArn 'image-updater' -ErrorVariable errs2 -ErrorAction SilentlyContinue
        $errs2[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs2[0].Exception.Message | Should -Match 'not an IAM role ARN'
    }

    It 'declares the identity parameters alike on every AWS cmdlet and Invoke-ImageUpdater' -ForEach @('AzureManagedIdentity', 'AzureClientId', 'AzureAudience', 'RoleArn', 'RoleSessionName') {
        $types = foreach ($command in 'Find-EcrTag', 'Find-ImageTag', 'Get-EcrAuthorizationToken', 'Test-ImageUpdate', 'Invoke-ImageUpdater') {
            (Get-Command $command).Parameters[$_].ParameterType.FullName
        }
        @($types | Sort-Object -Unique).Count | Should -Be 1
        $types[0] | Should -Not -BeNullOrEmpty
    }
}
