# The AWS default credential chain's web-identity path (IRSA on EKS, GitHub OIDC): a token file and a role, exchanged at STS.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $seed = Join-Path $TestDrive 'seed.json'
    '{"repositories":[{"name":"team/app","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200}]}]}' | Set-Content $seed
    $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', 'ASIAWEBIDENTITY00001:wi-secret:wi-session-token')
    $script:Sts = Start-Emulator sts @('--token', 'eyJhbGciOi.test-web-identity.token', '--role', 'arn:aws:iam::123456789012:role/image-updater', '--issue', 'ASIAWEBIDENTITY00001:wi-secret:wi-session-token')
    $tokenFile = Join-Path $TestDrive 'token'
    Set-Content $tokenFile 'eyJhbGciOi.test-web-identity.token' -NoNewline

    $script:Variables = @{
        AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null; AWS_SESSION_TOKEN = $null; AWS_PROFILE = $null
        AWS_SHARED_CREDENTIALS_FILE = (Join-Path $TestDrive 'none'); AWS_CONFIG_FILE = (Join-Path $TestDrive 'none')
        AWS_EC2_METADATA_DISABLED = 'true'; AWS_REGION = 'us-east-1'
        AWS_WEB_IDENTITY_TOKEN_FILE = $tokenFile; AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/image-updater'; AWS_ROLE_SESSION_NAME = 'pester'
        AWS_ENDPOINT_URL_STS = $Sts.url.TrimEnd('/')
    }
    $script:Saved = @{}
    foreach ($name in $Variables.Keys) { $Saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $Variables[$name]) }
}

AfterAll {
    foreach ($name in $Saved.Keys) { [Environment]::SetEnvironmentVariable($name, $Saved[$name]) }
    if ($Ecr) { $Ecr.Stop() }
    if ($Sts) { $Sts.Stop() }
}

Describe 'ECR credentials from a web identity token' {
    It 'exchanges the token at STS and signs ECR requests with the session it gets' {
        $tags = Find-EcrTag -Repository team/app -EndpointUrl $Ecr.url -ErrorAction Stop
        $tags.Tag | Should -Be @('1.1.0', '1.0.0')
        (Invoke-RestMethod "$($Sts.url)__emulator/stats").AssumeRoleWithWebIdentity | Should -BeGreaterOrEqual 1
    }

    It 'fails with a clear error, and no secret, when STS refuses the role (fresh process: credentials are cached per process)' {
        $script = "`$env:AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/other'; Import-Module '$(Get-TestModulePath)'; " +
            "Find-EcrTag -Repository team/app -EndpointUrl '$($Ecr.url)' -ErrorVariable e -ErrorAction SilentlyContinue; " +
            "'errors=' + `$e.Count; `$e | ForEach-Object { 'category=' + `$_.CategoryInfo.Category; `$_.Exception.Message }"
        $out = & (Get-PwshPath) -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $out | Should -Match 'errors=1'
        $out | Should -Match 'category=(AuthenticationError|PermissionDenied|InvalidArgument)'
        $out | Should -Not -Match 'wi-secret|wi-session-token|test-web-identity'
    }
}
