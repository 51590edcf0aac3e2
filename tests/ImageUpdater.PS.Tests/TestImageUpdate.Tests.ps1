# Test-ImageUpdate: which tag would win and why, against the ECR emulator (ECR API) and docker-registry (distribution API).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $seed = Join-Path $TestDrive 'ecr-seed.json'
    @'
{"repositories":[{"name":"team/app","images":[
  {"tags":["1.4.2"],"pushedAt":1700000100},
  {"tags":["1.4.7"],"pushedAt":1700000200},
  {"tags":["1.5.0-rc.1"],"pushedAt":1700000300},
  {"tags":["2.0.0","stable"],"pushedAt":1700000400},
  {"tags":["main-abc1234"],"pushedAt":1700000500}]}]}
'@ | Set-Content $seed
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

Describe 'Test-ImageUpdate against Amazon ECR (emulated)' {
    It 'semver with the constraint of the image reference: winner, counts and reason' {
        $result = Test-ImageUpdate -Image "$EcrHost/team/app:~1.4" @Aws

        $result.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.TagTestResult'
        $result.Image | Should -Be "$EcrHost/team/app"
        $result.Strategy | Should -Be 'semver'
        $result.Constraint | Should -Be '~1.4'
        $result.Winner | Should -Be '1.4.7'
        $result.Considered | Should -Be 6
        $result.Qualified.Tag | Should -Be @('1.4.7', '1.4.2')
        $result.Reason | Should -Match 'outside ~1\.4'
        $result.Reason | Should -Match 'newest 1\.4\.7'
    }

    It 'the default view shows the winner, the counts, the runners-up and the reason' {
        $text = Test-ImageUpdate "$EcrHost/team/app" -Constraint '^1.4' @Aws | Out-String
        $text | Should -Match 'Winner\s+: 1\.4\.7'
        $text | Should -Match 'Considered\s+: 6 listed, 2 qualified'
        $text | Should -Match 'RunnersUp\s+: 1\.4\.2'
        $text | Should -Match 'Reason\s+: .*pre-release'
    }

    It '-Constraint wins over the text after the colon; a pre-release constraint admits the release candidate' {
        (Test-ImageUpdate "$EcrHost/team/app:~1.4" -Constraint '>=1.5.0-0 <2.0.0' @Aws).Winner | Should -Be '1.5.0-rc.1'
    }

    It 'newest-build with allow-tags and ignore-tags' {
        (Test-ImageUpdate "$EcrHost/team/app" -UpdateStrategy newest-build @Aws).Winner | Should -Be 'main-abc1234'
        (Test-ImageUpdate "$EcrHost/team/app" -UpdateStrategy newest-build -AllowTags 'regexp:^[0-9.]+$' -IgnoreTags '2.*' @Aws).Winner | Should -Be '1.4.7'
    }

    It 'digest: the winner is written as tag@sha256' {
        $result = Test-ImageUpdate "$EcrHost/team/app:stable" -UpdateStrategy digest @Aws
        $result.Winner | Should -Match '^stable@sha256:[0-9a-f]{64}$'
        $result.WinnerTag.Digest | Should -Be ($result.Winner -replace '^stable@')
    }

    It 'no tag qualifies: no winner, and the reason says which filter rejected what' {
        $result = Test-ImageUpdate "$EcrHost/team/app:~9.0" @Aws
        $result.Winner | Should -BeNullOrEmpty
        $result.Qualified | Should -BeNullOrEmpty
        $result.Reason | Should -Match 'outside ~9\.0'
        ($result | Out-String) | Should -Match 'Winner\s+: \(none\)'
    }

    It 'several images from the pipeline; the deprecated strategy name warns' {
        $results = "$EcrHost/team/app:~1.4", "$EcrHost/team/app:^2" | Test-ImageUpdate @Aws
        $results.Winner | Should -Be @('1.4.7', '2.0.0')
        (Test-ImageUpdate "$EcrHost/team/app" -UpdateStrategy latest -WarningVariable warned -WarningAction SilentlyContinue @Aws).Winner | Should -Be 'main-abc1234'
        $warned[0] | Should -Match "use 'newest-build'"
    }

    It 'an unknown strategy is refused at binding with the names to use' {
        { Test-ImageUpdate "$EcrHost/team/app" -UpdateStrategy newest @Aws } | Should -Throw '*not an update strategy; use semver, newest-build, alphabetical or digest*'
    }

    It 'a missing repository is a non-terminating error naming the image' {
        $result = Test-ImageUpdate "$EcrHost/team/nope" @Aws -ErrorVariable failed -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -Match '^EcrRepositoryNotFound'
        $failed[0].Exception.Message | Should -Match 'team/nope'
    }

    It 'an image that is not a reference is an error, not a crash' {
        Test-ImageUpdate ':1.0' @Aws -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -Match '^ImageReferenceInvalid'
    }

    It '-Verbose says which API is asked and never shows the secret key' {
        $verbose = Test-ImageUpdate "$EcrHost/team/app:~1.4" @Aws -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'ECR API \(DescribeImages\), strategy semver, constraint ~1\.4'
        ($verbose.Message -join "`n") | Should -Not -Match 'pester-secret'
    }
}

Describe 'Test-ImageUpdate: the ECR endpoint of the environment' {
    It 'calls AWS_ENDPOINT_URL_ECR when -EndpointUrl is not given' {
        $aws = $Aws.Clone(); $aws.Remove('EndpointUrl')
        $env:AWS_ENDPOINT_URL_ECR = $Emulator.url
        try { (Test-ImageUpdate "$EcrHost/team/app:~1.4" @aws).Winner | Should -Be '1.4.7' }
        finally { $env:AWS_ENDPOINT_URL_ECR = $null }
    }

    It 'looks up pipeline images concurrently and returns them in input order' {
        $results = "$EcrHost/team/app:^2", "$EcrHost/team/app:~1.4", "$EcrHost/team/app:~1.4.2" | Test-ImageUpdate @Aws
        $results.Winner | Should -Be @('2.0.0', '1.4.7', '1.4.7')
    }
}

Describe 'Test-ImageUpdate against an OCI registry (docker-registry)' {
    BeforeAll {
        $script:Missing = $null
        if (-not (Get-Command docker-registry -ErrorAction SilentlyContinue) -or -not (Get-Command htpasswd -ErrorAction SilentlyContinue)) {
            $script:Missing = 'docker-registry or htpasswd is not installed (apt-get install docker-registry apache2-utils)'
            if (Test-IsCI) { throw "$Missing, and under CI=true the registry tests must run." }
        }
        else {
            $script:Registry = Start-Emulator docker-registry @('--user', 'alice:s3cret-pw', '--seed')
        }
        $script:Alice = [pscredential]::new('alice', (ConvertTo-SecureString 's3cret-pw' -AsPlainText -Force))
    }
    AfterAll { if ($Registry) { $Registry.Stop() } }
    BeforeEach { if ($Missing) { Set-ItResult -Skipped -Because $Missing } }

    It 'takes the distribution API with -RegistryCredential' {
        $result = Test-ImageUpdate "$($Registry.host)/team/app:~1" -RegistryCredential $Alice
        $result.Winner | Should -Be '1.2.0'
        $result.Registry | Should -Be $Registry.host
        $result.Qualified.Tag | Should -Be @('1.2.0', '1.1.0', '1.0.0')
    }

    It '-PullSecret gives the credentials as an image''s pull-secret annotation does' {
        $env:IU_PESTER_TEST_PULL = 'alice:s3cret-pw'
        try { $result = Test-ImageUpdate "$($Registry.host)/team/app:~1" -PullSecret env:IU_PESTER_TEST_PULL -Verbose 4>&1 }
        finally { $env:IU_PESTER_TEST_PULL = $null }
        ($result | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Winner | Should -Be '1.2.0'
        (($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n") | Should -Match 'pull-secret credentials'
    }

    It 'without credentials the registry''s refusal is the error' {
        Test-ImageUpdate "$($Registry.host)/team/app" -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}
