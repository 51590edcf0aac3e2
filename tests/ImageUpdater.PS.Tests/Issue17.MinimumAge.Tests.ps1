# Issue 17, part 3: min-age / -MinimumAge — a tag younger than that is not chosen yet, and the Reason says when it will be.
# Push times come from the ECR emulator's DescribeImages (imagePushedAt); write-back into a real bare git repository.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    # 1.1.0 is pushed "now" (when the emulator starts); 1.0.x two days ago.
    $script:PushedAt = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $seedFile = Join-Path $TestDrive 'ecr-seed.json'
    "{`"repositories`":[{`"name`":`"team/web`",`"images`":[{`"tags`":[`"1.0.0`"],`"pushedAt`":$($PushedAt - 172800)},{`"tags`":[`"1.0.1`"],`"pushedAt`":$($PushedAt - 172000)},{`"tags`":[`"1.1.0`"],`"pushedAt`":$PushedAt}]}]}" | Set-Content $seedFile
    $script:ecr = Start-Emulator ecr @('--seed', $seedFile, '--key', 'AKIAISSUE17AGE000001:issue17-age')
    $script:aws = @{ AccessKey = 'AKIAISSUE17AGE000001'; SecretKey = (ConvertTo-SecureString 'issue17-age' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $ecr.url }
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    # One application 'web' at 1.0.0 (git write-back to apps/web/values.yaml) with the extra annotations given.
    function New-WebApp([hashtable] $Annotations = @{}) {
        New-WebAppFixture -Root (Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))) -EcrHost $EcrHost -Annotations $Annotations
    }

    function Show-Values($App) { (Invoke-Git -C $App.Bare show 'main:apps/web/values.yaml') -join "`n" }
}

AfterAll { if ($ecr) { $ecr.Stop() } }

Describe 'Issue17 minimum image age' {
    It 'web.min-age holds the fresh 1.1.0 back (the older 1.0.1 is chosen) and says when 1.1.0 can be chosen; once old enough it goes through' {
        $app = New-WebApp @{ 'web.min-age' = '12s' }

        $out = Invoke-ImageUpdater -Path $app.Manifests -WorkingDirectory $app.Cache @aws -PassThru -WarningAction SilentlyContinue
        $candidate = $out | Where-Object { $_.pstypenames -contains 'ImageUpdater.ImageUpdateCandidate' }
        $held = $out | Where-Object { $_.pstypenames -contains 'ImageUpdater.ImageUpdateResult' }

        $held.Status | Should -Be 'Updated'
        $held.NewTag | Should -Be '1.0.1'
        $expected = [DateTimeOffset]::FromUnixTimeSeconds($PushedAt + 12).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'")
        $candidate.Reason | Should -Match ([regex]::Escape("1 younger than min-age 12s (1.1.0 can be chosen from $expected)"))
        Show-Values $app | Should -Match 'tag: 1\.0\.1'

        $wait = [DateTimeOffset]::FromUnixTimeSeconds($PushedAt + 13) - [DateTimeOffset]::UtcNow
        if ($wait -gt [TimeSpan]::Zero) { Start-Sleep -Milliseconds ([int]$wait.TotalMilliseconds) }
        $out = Invoke-ImageUpdater -Path $app.Manifests -WorkingDirectory $app.Cache @aws -PassThru -WarningAction SilentlyContinue
        $through = $out | Where-Object { $_.pstypenames -contains 'ImageUpdater.ImageUpdateResult' }

        $through.Status | Should -Be 'Updated'
        $through.NewTag | Should -Be '1.1.0'
        ($out | Where-Object { $_.pstypenames -contains 'ImageUpdater.ImageUpdateCandidate' }).Reason | Should -Not -Match 'younger'
        Show-Values $app | Should -Match 'tag: 1\.1\.0'
    }

    It '-MinimumAge applies to images without the annotation; the annotation wins where it is set' {
        $app = New-WebApp

        $candidate = Invoke-ImageUpdater -Path $app.Manifests -WorkingDirectory $app.Cache @aws -MinimumAge 1d -WhatIf -PassThru -WarningAction SilentlyContinue |
            Where-Object { $_.pstypenames -contains 'ImageUpdater.ImageUpdateCandidate' }
        $candidate.NewTag | Should -Be '1.0.1'
        $candidate.Reason | Should -Match 'younger than min-age 1d \(1\.1\.0 can be chosen from'

        $annotated = New-WebApp @{ 'min-age' = '0' }
        $candidate = Invoke-ImageUpdater -Path $annotated.Manifests -WorkingDirectory $annotated.Cache @aws -MinimumAge 1d -WhatIf -PassThru -WarningAction SilentlyContinue |
            Where-Object { $_.pstypenames -contains 'ImageUpdater.ImageUpdateCandidate' }
        $candidate.NewTag | Should -Be '1.1.0'
    }

    It 'an unreadable -MinimumAge is a terminating InvalidArgument error' {
        $app = New-WebApp

        $err = { Invoke-ImageUpdater -Path $app.Manifests @aws -MinimumAge 'soon' -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^MinimumAgeInvalid'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Show-Values $app | Should -Match 'tag: 1\.0\.0'
    }

    It 'Test-ImageUpdaterAnnotation knows min-age and reports an unreadable value' {
        $good = New-WebApp @{ 'web.min-age' = '2h'; 'min-age' = '1d' }
        $bad = New-WebApp @{ 'web.min-age' = 'two hours' }

        @(Test-ImageUpdaterAnnotation -Path (Join-Path $good.Manifests 'web.yaml')) | Should -HaveCount 0
        $diagnostic = Test-ImageUpdaterAnnotation -Path (Join-Path $bad.Manifests 'web.yaml') -ErrorAction SilentlyContinue
        $diagnostic.Key | Should -Be 'web.min-age'
        [string] $diagnostic.Severity | Should -Be 'Error'
        $diagnostic.Message | Should -Match "'two hours' is not a minimum age"
    }
}
