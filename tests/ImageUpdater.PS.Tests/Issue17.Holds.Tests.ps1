# Issue 17, part 4: holds people can set and see — a hand change of the written value in git (another author, backwards or away from the
# chosen tag) holds the image as Held naming the commit and author; hold: "false" releases it, hold: "true" / "until <date>" holds explicitly.
# Tags come from the ECR emulator; write-back into a real bare git repository.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $old = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() - 172800
    $seedFile = Join-Path $TestDrive 'ecr-seed.json'
    "{`"repositories`":[{`"name`":`"team/web`",`"images`":[{`"tags`":[`"1.0.0`"],`"pushedAt`":$old},{`"tags`":[`"1.1.0`"],`"pushedAt`":$($old + 60)}]}]}" | Set-Content $seedFile
    $script:ecr = Start-Emulator ecr @('--seed', $seedFile, '--key', 'AKIAISSUE17HOLD00001:issue17-hold')
    $script:aws = @{ AccessKey = 'AKIAISSUE17HOLD00001'; SecretKey = (ConvertTo-SecureString 'issue17-hold' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $ecr.url }
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    # One application 'web' (git write-back to apps/web/values.yaml), seeded at $Tag by 'Seed', with the extra annotations given.
    function New-WebApp([string] $Tag = '1.0.0', [hashtable] $Annotations = @{}) {
        New-WebAppFixture -Root (Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))) -EcrHost $EcrHost -Tag $Tag -Annotations $Annotations
    }

    # A person's (or any author's) commit setting the tag, pushed to main; returns its sha.
    function Set-TagByHand($App, [string] $Tag, [string] $Name = 'Alice Admin', [string] $Email = 'alice@example.com') {
        Invoke-Git -C $App.Seed pull --quiet --ff-only origin main 2>$null | Out-Null
        [IO.File]::WriteAllText((Join-Path $App.Seed 'apps/web/values.yaml'), "image:`n  tag: $Tag`n")
        Invoke-Git -C $App.Seed -c "user.name=$Name" -c "user.email=$Email" commit --quiet -am "roll web back to $Tag" | Out-Null
        Invoke-Git -C $App.Seed push --quiet origin main 2>$null | Out-Null
        (Invoke-Git -C $App.Seed rev-parse HEAD).Trim()
    }

    function Set-Annotation($App, [string] $Key, [string] $Value) {
        $file = Join-Path $App.Manifests 'web.yaml'
        $text = (Get-Content $file -Raw) -replace "(?m)^  annotations:$", "  annotations:`n    argocd-image-updater.argoproj.io/${Key}: '$Value'"
        Set-Content $file $text
    }

    function Show-Values($App) { (Invoke-Git -C $App.Bare show 'main:apps/web/values.yaml') -join "`n" }
    function Get-CommitCount($App) { [int] (Invoke-Git -C $App.Bare rev-list --count main) }
    function Get-Result($Out) { $Out | Where-Object { $_.pstypenames -contains 'ImageUpdater.ImageUpdateResult' } }
}

AfterAll { if ($ecr) { $ecr.Stop() } }

Describe 'Issue17 holds' {
    It 'a hand-made rollback commit by another author is Held, naming the commit, author and date; nothing is pushed; hold: "false" releases it' {
        $app = New-WebApp -Tag '1.1.0'
        $sha = Set-TagByHand $app '1.0.0'
        $before = Get-CommitCount $app

        $out = Invoke-ImageUpdater -Path $app.Manifests -WorkingDirectory $app.Cache @aws -SummaryVariable summary -WarningVariable warnings -WarningAction SilentlyContinue
        $result = Get-Result $out

        $result.Status | Should -Be 'Held'
        $result.NewTag | Should -Be '1.1.0'
        $result.Message | Should -Match ([regex]::Escape("Alice Admin <alice@example.com> set 1.0.0 (was 1.1.0) by hand in commit $($sha.Substring(0, 12)) on $([DateTime]::UtcNow.ToString('yyyy-MM-dd'))"))
        $result.Message | Should -Match 'hold annotation is set to "false"'
        $result.Commit | Should -BeNullOrEmpty
        ($result | Format-Table | Out-String) | Should -Match 'Held'
        $summary.Held | Should -Be 1
        $summary.Updated | Should -Be 0
        ($summary | Format-List | Out-String) | Should -Match 'Held\s*:\s*1'
        $warnings | Should -Match 'web: .*Alice Admin'
        Get-CommitCount $app | Should -Be $before
        Show-Values $app | Should -Match 'tag: 1\.0\.0'

        Set-Annotation $app 'web.hold' 'false'
        $released = Get-Result (Invoke-ImageUpdater -Path $app.Manifests -WorkingDirectory $app.Cache @aws -WarningAction SilentlyContinue)

        $released.Status | Should -Be 'Updated'
        $released.NewTag | Should -Be '1.1.0'
        Get-CommitCount $app | Should -Be ($before + 1)
        Show-Values $app | Should -Match 'tag: 1\.1\.0'
    }

    It '-IgnoreHold writes a held image (the operator''s override)' {
        $app = New-WebApp -Tag '1.1.0'
        $null = Set-TagByHand $app '1.0.0'

        $result = Get-Result (Invoke-ImageUpdater -Path $app.Manifests -WorkingDirectory $app.Cache @aws -IgnoreHold -WarningAction SilentlyContinue)

        $result.Status | Should -Be 'Updated'
        Show-Values $app | Should -Match 'tag: 1\.1\.0'
    }

    It 'the updater''s own earlier commit never holds (-AuthorName/-AuthorEmail in effect), nor does the seed commit' {
        $app = New-WebApp -Tag '1.1.0'
        $null = Set-TagByHand $app '1.0.0' -Name 'Deploy Bot' -Email 'deploy-bot@example.com'

        $result = Get-Result (Invoke-ImageUpdater -Path $app.Manifests -WorkingDirectory $app.Cache @aws -AuthorName 'Deploy Bot' -AuthorEmail 'deploy-bot@example.com' -WarningAction SilentlyContinue)
        $result.Status | Should -Be 'Updated'
        (Invoke-Git -C $app.Bare log -1 --format=%ae main) | Should -Be 'deploy-bot@example.com'

        $seeded = New-WebApp -Tag '1.0.0'
        (Get-Result (Invoke-ImageUpdater -Path $seeded.Manifests -WorkingDirectory $seeded.Cache @aws -WarningAction SilentlyContinue)).Status | Should -Be 'Updated'
    }

    It 'hold: "until" a future date holds without any hand change; a past date does not; "true" holds' {
        $future = [DateTime]::UtcNow.AddDays(20).ToString('yyyy-MM-dd')
        $app = New-WebApp -Annotations @{ 'web.hold' = "until $future" }

        $result = Get-Result (Invoke-ImageUpdater -Path $app.Manifests -WorkingDirectory $app.Cache @aws -WarningAction SilentlyContinue)
        $result.Status | Should -Be 'Held'
        $result.Message | Should -Match "until $future 00:00 UTC"
        Show-Values $app | Should -Match 'tag: 1\.0\.0'

        $indefinite = New-WebApp -Annotations @{ 'hold' = 'true' }
        (Get-Result (Invoke-ImageUpdater -Path $indefinite.Manifests -WorkingDirectory $indefinite.Cache @aws -WarningAction SilentlyContinue)).Message | Should -Match '\("true"\)'

        $past = New-WebApp -Annotations @{ 'web.hold' = "until $([DateTime]::UtcNow.AddDays(-2).ToString('yyyy-MM-dd'))" }
        (Get-Result (Invoke-ImageUpdater -Path $past.Manifests -WorkingDirectory $past.Cache @aws -WarningAction SilentlyContinue)).Status | Should -Be 'Updated'
        Show-Values $past | Should -Match 'tag: 1\.1\.0'
    }

    It 'Test-ImageUpdaterAnnotation knows hold and reports an unreadable value' {
        $good = New-WebApp -Annotations @{ 'web.hold' = 'until 2026-12-24'; 'hold' = 'false' }
        $bad = New-WebApp -Annotations @{ 'web.hold' = 'for a while' }

        @(Test-ImageUpdaterAnnotation -Path (Join-Path $good.Manifests 'web.yaml')) | Should -HaveCount 0
        $diagnostic = Test-ImageUpdaterAnnotation -Path (Join-Path $bad.Manifests 'web.yaml') -ErrorAction SilentlyContinue
        $diagnostic.Key | Should -Be 'web.hold'
        [string] $diagnostic.Severity | Should -Be 'Error'
        $diagnostic.Message | Should -Match "'for a while' is not 'true', 'false' or 'until <date>'"
    }
}
