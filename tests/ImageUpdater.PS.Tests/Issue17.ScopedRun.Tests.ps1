# Issue 17, part 2: a push event runs only the Applications that use the pushed image. ECR emulator (request counts), real
# bare git repositories, ConvertFrom-RegistryWebhook over the recorded EventBridge event.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $seedFile = Join-Path $TestDrive 'ecr-seed.json'
    @'
{"repositories":[
 {"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200},{"tags":["1.2.0"],"pushedAt":1700000300}]},
 {"name":"team/api","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200}]}
]}
'@ | Set-Content $seedFile
    $script:ecr = Start-Emulator ecr @('--seed', $seedFile, '--key', 'AKIAISSUE17000000001:issue17-secret')
    $script:aws = @{ AccessKey = 'AKIAISSUE17000000001'; SecretKey = (ConvertTo-SecureString 'issue17-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $ecr.url }
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    # One bare repository with apps/web-<i>/values.yaml (team/web) and apps/api/values.yaml (team/api), all at 1.0.0, and their
    # Application manifests (git write-back, the given web strategy, live images in status).
    function New-Fleet([int] $WebApps = 3, [string] $WebStrategy = 'semver') {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $bare = Join-Path $root 'remote/gitops.git'
        $seed = Join-Path $root 'seed'
        $manifests = Join-Path $root 'manifests'
        Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
        Invoke-Git clone --quiet $bare $seed 2>$null | Out-Null
        $url = [System.Uri]::new($bare, [System.UriKind]::Absolute).AbsoluteUri
        $null = New-Item -ItemType Directory $manifests
        $apps = @(1..$WebApps | ForEach-Object { @{ Name = "web-$_"; Repo = 'team/web'; Strategy = $WebStrategy } }) + @(@{ Name = 'api'; Repo = 'team/api'; Strategy = 'semver' })
        foreach ($app in $apps) {
            $null = New-Item -ItemType Directory (Join-Path $seed "apps/$($app.Name)") -Force
            [IO.File]::WriteAllText((Join-Path $seed "apps/$($app.Name)/values.yaml"), "image:`n  repository: $EcrHost/$($app.Repo)`n  tag: 1.0.0`n")
            @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $($app.Name)
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: 'app=$EcrHost/$($app.Repo)'
    argocd-image-updater.argoproj.io/app.update-strategy: '$($app.Strategy)'
    argocd-image-updater.argoproj.io/app.helm.image-name: image.repository
    argocd-image-updater.argoproj.io/app.helm.image-tag: image.tag
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: 'helmvalues:values.yaml'
spec:
  project: default
  source:
    repoURL: $url
    path: apps/$($app.Name)
    targetRevision: main
    helm: {}
status:
  summary:
    images:
      - $EcrHost/$($app.Repo):1.0.0
"@ | Set-Content (Join-Path $manifests "$($app.Name).yaml")
        }
        Invoke-Git -C $seed checkout --quiet -b main | Out-Null
        Invoke-Git -C $seed add -A | Out-Null
        Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
        Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null
        [pscustomobject]@{ Bare = $bare; Manifests = $manifests; Cache = (Join-Path $root 'cache') }
    }

    function Show-File($Fleet, [string] $App) { (Invoke-Git -C $Fleet.Bare show "main:apps/$App/values.yaml") -join "`n" }

    # The recorded EventBridge event (docs example) retargeted at the emulator's account, region and repository.
    function New-EcrPushEvent([string] $Repository, [string] $Tag, [string] $Secret = 'hook-secret') {
        $text = Get-Content (Join-Path $PSScriptRoot 'Issue17/Webhooks/ecr-eventbridge.http') -Raw
        $body = ($text -split "\r?\n\r?\n", 2)[1] | ConvertFrom-Json
        $body.region = 'us-east-1'
        $body.detail.'repository-name' = $Repository
        $body.detail.'image-tag' = $Tag
        $body.time = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
        [pscustomobject]@{ WebhookName = 'ecr-push'; RequestBody = ($body | ConvertTo-Json -Depth 5); RequestHeader = [pscustomobject]@{ 'X-Webhook-Secret' = $Secret } }
    }
}

AfterAll { if ($ecr) { $ecr.Stop() } }

Describe 'Issue17 scoped runs: Invoke-ImageUpdater -Image and registry events' {
    It 'a push of team/web:1.1.0 updates only the Applications using team/web, with no registry listing (semver takes the pushed tag)' {
        $fleet = New-Fleet -WebApps 3

        $results = New-EcrPushEvent team/web 1.1.0 | ConvertFrom-RegistryWebhook -Secret 'hook-secret' |
            Invoke-ImageUpdater -Path $fleet.Manifests -WorkingDirectory $fleet.Cache @aws -SummaryVariable summary -WarningAction SilentlyContinue

        @($results | Sort-Object Application | ForEach-Object { "$($_.Application) $($_.Status) $($_.NewTag)" }) | Should -Be @('web-1 Updated 1.1.0', 'web-2 Updated 1.1.0', 'web-3 Updated 1.1.0')
        $summary.Applications | Should -Be 3
        $summary.Requests['ecr DescribeImages'] | Should -BeNullOrEmpty -Because 'the pushed tag is the only candidate: nothing is listed'
        @($summary.Requests.Values | Where-Object { $_ -gt 0 }).Count | Should -Be 0
        Show-File $fleet web-2 | Should -Match 'tag: 1\.1\.0'
        Show-File $fleet api | Should -Match 'tag: 1\.0\.0'
        @(Invoke-Git -C $fleet.Bare rev-list main).Count | Should -Be 2 -Because 'the three applications share one repository: one commit'
    }

    It 'an alphabetical strategy lists just the pushed repository (one DescribeImages), and -Image works without an event' {
        $fleet = New-Fleet -WebApps 2 -WebStrategy alphabetical

        $results = Invoke-ImageUpdater -Image "$EcrHost/team/web:1.1.0" -Path $fleet.Manifests -WorkingDirectory $fleet.Cache @aws -SummaryVariable summary -WarningAction SilentlyContinue

        @($results.Application | Sort-Object) | Should -Be @('web-1', 'web-2')
        @($results.NewTag | Select-Object -Unique) | Should -Be '1.2.0' -Because 'alphabetical ranks every tag of the repository'
        $summary.Requests['ecr DescribeImages'] | Should -Be 1 -Because 'one repository is listed, once, for both applications'
        Show-File $fleet api | Should -Match 'tag: 1\.0\.0'
    }

    It 'a pushed tag outside the constraint or ignored is not written' {
        $fleet = New-Fleet -WebApps 1
        (Get-Content (Join-Path $fleet.Manifests 'web-1.yaml') -Raw) -replace "app.update-strategy: 'semver'", "app.update-strategy: 'semver'`n    argocd-image-updater.argoproj.io/app.ignore-tags: '1.1.*'" | Set-Content (Join-Path $fleet.Manifests 'web-1.yaml')

        $results = Invoke-ImageUpdater -Image "$EcrHost/team/web:1.1.0" -Path $fleet.Manifests -WorkingDirectory $fleet.Cache @aws -WarningAction SilentlyContinue

        $results.Status | Should -Be 'Unchanged'
        Show-File $fleet web-1 | Should -Match 'tag: 1\.0\.0'
    }

    It 'a webhook with a bad secret runs nothing: an error, no result, no commit' {
        $fleet = New-Fleet -WebApps 2

        $results = @(New-EcrPushEvent team/web 1.1.0 -Secret 'forged' | ConvertFrom-RegistryWebhook -Secret 'hook-secret' -ErrorVariable failures -ErrorAction SilentlyContinue |
            Invoke-ImageUpdater -Path $fleet.Manifests -WorkingDirectory $fleet.Cache @aws -WarningVariable warnings -WarningAction SilentlyContinue)

        $results.Count | Should -Be 0
        $failures[0].FullyQualifiedErrorId | Should -Match '^WebhookSecretMismatch'
        $warnings -join ' ' | Should -Match 'nothing is run'
        @(Invoke-Git -C $fleet.Bare rev-list main).Count | Should -Be 1
    }

    It 'a push of an image no Application uses runs nothing' {
        $fleet = New-Fleet -WebApps 1

        $results = @(Invoke-ImageUpdater -Image "$EcrHost/team/other:9.9.9" -Path $fleet.Manifests -WorkingDirectory $fleet.Cache @aws -SummaryVariable summary -WarningAction SilentlyContinue)

        $results.Count | Should -Be 0
        $summary.Applications | Should -Be 0
    }

    It 'an -Image that is not a reference is a terminating InvalidArgument error naming it' {
        $fleet = New-Fleet -WebApps 1

        $err = { Invoke-ImageUpdater -Image 'team/web:not a tag' -Path $fleet.Manifests @aws -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^ImageScopeInvalid'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'team/web:not a tag'
    }
}
