BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $seed = Join-Path $TestDrive 'seed.json'
    '{"repositories":[{"name":"team/app","images":[{"tags":["1.0.0"]}]}]}' | Set-Content $seed
    $script:Emulator = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAPESTER0000000001:pester-secret')
    $script:Aws = @{
        AccessKey   = 'AKIAPESTER0000000001'
        SecretKey   = ConvertTo-SecureString 'pester-secret' -AsPlainText -Force
        Region      = 'us-east-1'
        EndpointUrl = $Emulator.url
    }
}

AfterAll {
    if ($Emulator) { $Emulator.Stop() }
}

Describe 'Get-EcrAuthorizationToken' {
    It 'returns a PSCredential for AWS with the endpoint and expiry' {
        $login = Get-EcrAuthorizationToken @Aws
        $login | Should -BeOfType [pscredential]
        $login.UserName | Should -Be 'AWS'
        $login.ProxyEndpoint | Should -Be $Emulator.url.TrimEnd('/')
        $login.ExpiresAt | Should -BeGreaterThan ([datetime]::UtcNow.AddHours(11))
        $login.Password | Should -BeOfType [securestring]
    }

    It 'gives a password the registry accepts, and never prints it' {
        $login = Get-EcrAuthorizationToken @Aws -Verbose 4>&1
        $credential = $login | Where-Object { $_ -is [pscredential] }
        $password = $credential.GetNetworkCredential().Password
        ($login | Out-String) | Should -Not -Match ([regex]::Escape($password))
        $pair = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("AWS:$password"))
        $tags = Invoke-RestMethod "$($credential.ProxyEndpoint)/v2/team/app/tags/list" -Headers @{ Authorization = "Basic $pair" }
        $tags.tags | Should -Be '1.0.0'
        { Invoke-RestMethod "$($credential.ProxyEndpoint)/v2/team/app/tags/list" } | Should -Throw '*401*'
    }

    It 'asks for each -RegistryId from the pipeline' {
        $logins = '123456789012', '210987654321' | Get-EcrAuthorizationToken @Aws
        $logins.RegistryId | Should -Be @('123456789012', '210987654321')
    }

    It 'rejects a registry id that is not 12 digits' {
        { Get-EcrAuthorizationToken -RegistryId 12345 @Aws } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'reports bad credentials as an AuthenticationError' {
        $aws = $Aws.Clone(); $aws.SecretKey = ConvertTo-SecureString 'wrong' -AsPlainText -Force
        Get-EcrAuthorizationToken @aws -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}
