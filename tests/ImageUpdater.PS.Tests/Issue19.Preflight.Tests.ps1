# Issue 19, item 5: Test-ImageUpdaterEnvironment passes here, and reports planted failures (an unreachable endpoint, a
# missing native library through -LibGit2Path) with their remedies.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $seed = Join-Path $TestDrive 'seed.json'
    '{"repositories":[{"name":"team/app","images":[{"tags":["1.0.0"],"pushedAt":1700000100}]}]}' | Set-Content $seed
    $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAPREFLIGHT0000001:preflight-secret')
    $script:Aws = @{ AccessKey = 'AKIAPREFLIGHT0000001'; SecretKey = (ConvertTo-SecureString 'preflight-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $Ecr.url }
    # A port that was just free: nothing listens on it.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
    $script:ClosedPort = $listener.LocalEndpoint.Port; $listener.Stop()
    $script:SavedServer = $env:ARGOCD_SERVER; Remove-Item env:ARGOCD_SERVER -ErrorAction SilentlyContinue
}

AfterAll {
    if ($Ecr) { $Ecr.Stop() }
    if ($SavedServer) { $env:ARGOCD_SERVER = $SavedServer }
}

Describe 'Test-ImageUpdaterEnvironment' {
    It 'passes here: one typed result per check, none Failed, the AWS source named but never its value' {
        $checks = @(Test-ImageUpdaterEnvironment @Aws -Endpoint $Ecr.url)
        $checks | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.EnvironmentCheck' }
        $checks.Check | Should -Contain 'PowerShell'
        $checks.Check | Should -Contain '.NET'
        $checks.Check | Should -Contain 'load context'
        $checks.Check | Should -Contain 'libgit2'
        $checks.Check | Should -Contain 'AWS credentials'
        $checks.Check | Should -Contain 'endpoint ECR'
        $checks.Check | Should -Contain 'endpoint -Endpoint'
        $checks.Check | Should -Contain 'temp space'
        @($checks | Where-Object Status -EQ 'Failed') | Should -BeNullOrEmpty
        ($checks | Where-Object Check -EQ 'libgit2').Detail | Should -Match 'loads from .*git2'
        ($checks | Where-Object Check -EQ 'AWS credentials').Detail | Should -Be 'from -AccessKey/-SecretKey'
        ($checks | Format-List * | Out-String) | Should -Not -Match 'preflight-secret'
    }

    It 'reports an unreachable endpoint as Failed with a remedy' {
        $check = Test-ImageUpdaterEnvironment @Aws -Endpoint "http://127.0.0.1:$ClosedPort" -TimeoutSec 3 | Where-Object Check -EQ 'endpoint -Endpoint'
        $check.Status | Should -Be 'Failed'
        $check.Detail | Should -Match "127\.0\.0\.1:$ClosedPort"
        $check.Remedy | Should -Match 'Hybrid Runbook Worker'
    }

    It 'reports a missing native library (path override) as Failed with the Hybrid Worker / argocd write-back remedy' {
        $check = Test-ImageUpdaterEnvironment @Aws -LibGit2Path (Join-Path $TestDrive 'runtimes/linux-x64/native/libgit2-missing.so') | Where-Object Check -EQ 'libgit2'
        $check.Status | Should -Be 'Failed'
        $check.Remedy | Should -Match 'Hybrid Runbook Worker'
        $check.Remedy | Should -Match 'write-back-method argocd'
    }

    It 'checks the Argo CD server of the session or ARGOCD_SERVER' {
        $env:ARGOCD_SERVER = "http://127.0.0.1:$ClosedPort"
        try { $check = Test-ImageUpdaterEnvironment @Aws -TimeoutSec 3 | Where-Object Check -EQ 'endpoint Argo CD' }
        finally { Remove-Item env:ARGOCD_SERVER }
        $check.Status | Should -Be 'Failed'
    }

    It 'shows a table that fits 80 columns, with the remedy' {
        $text = Test-ImageUpdaterEnvironment @Aws -Endpoint "http://127.0.0.1:$ClosedPort" -TimeoutSec 3 | Format-Table | Out-String -Width 80
        foreach ($line in $text -split "`r?`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $text | Should -Match 'Remedy:'
    }
}
