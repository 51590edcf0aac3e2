<#
.SYNOPSIS
    Push-to-commit latency (issue 17): a recorded ECR EventBridge push event in → the commit pushed, for one image used by
    10 applications in one git repository, on the emulators.
.DESCRIPTION
    Starts the ECR emulator (with injected latency) and the git smart-HTTP emulator (basic auth) over one bare repository
    holding apps/web-NN (team/web) and apps/other-NN (team/other) values files. Each round posts a new tag of team/web as an
    EventBridge event (the docs example, retargeted) through ConvertFrom-RegistryWebhook -Secret into Invoke-ImageUpdater
    and times event in → results out (the commit is pushed before the results are written). Round 1 has a cold clone cache.
    A full, unscoped run of the same fleet is timed last as the baseline. Prints the figures and exits 1 if the median of
    the warm rounds is 2 s or more, or a round did not push exactly one commit updating the 10 applications.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Applications = 10,
    [int] $OtherApplications = 40,
    [int] $Rounds = 6,
    [int] $LatencyMs = 20
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
Import-Module (Join-Path $repoRoot 'tests/ImageUpdater.PS.Tests/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
$work = Join-Path ([IO.Path]::GetTempPath()) ("iu-push-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory $work
$ecrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
$env:AWS_EC2_METADATA_DISABLED = 'true'

function Invoke-Git { $out = & git @args 2>&1; if ($LASTEXITCODE -ne 0) { throw "git $($args -join ' '): $out" }; $out }

$ecr = $null; $git = $null
try {
    # Tags 1.0.0 … 1.<Rounds>.0 of team/web exist; each round announces the next one.
    $images = (0..$Rounds | ForEach-Object { "{`"tags`":[`"1.$_.0`"],`"pushedAt`":$(1700000000 + $_)}" }) -join ','
    "{`"repositories`":[{`"name`":`"team/web`",`"images`":[$images]},{`"name`":`"team/other`",`"images`":[{`"tags`":[`"1.0.0`"],`"pushedAt`":1700000000},{`"tags`":[`"1.1.0`"],`"pushedAt`":1700000001}]}]}" |
        Set-Content (Join-Path $work 'seed.json')
    $ecr = Start-Emulator ecr @('--seed', (Join-Path $work 'seed.json'), '--key', 'AKIABENCHPUSH0000001:bench-secret', '--latency-ms', $LatencyMs)
    $aws = @{ AccessKey = 'AKIABENCHPUSH0000001'; SecretKey = 'bench-secret'; Region = 'us-east-1'; EndpointUrl = $ecr.url }

    $seed = Join-Path $work 'seed'
    $apps = @(1..$Applications | ForEach-Object { @{ Name = 'web-{0:D2}' -f $_; Repo = 'team/web' } }) + @(1..$OtherApplications | ForEach-Object { @{ Name = 'other-{0:D2}' -f $_; Repo = 'team/other' } })
    foreach ($app in $apps) {
        $null = New-Item -ItemType Directory (Join-Path $seed "apps/$($app.Name)") -Force
        [IO.File]::WriteAllText((Join-Path $seed "apps/$($app.Name)/values.yaml"), "image:`n  tag: 1.0.0`n")
    }
    Invoke-Git -C $seed init --quiet --initial-branch=main | Out-Null
    Invoke-Git -C $seed add -A | Out-Null
    Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
    $bare = Join-Path $work 'remote/gitops.git'
    Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
    Invoke-Git -C $seed push --quiet $bare main | Out-Null
    $git = Start-Emulator git-http @('--root', (Split-Path $bare), '--user', 'bot', '--password', 'bench-git-token')
    $gitCredential = [pscredential]::new('bot', (ConvertTo-SecureString 'bench-git-token' -AsPlainText -Force))

    $manifests = Join-Path $work 'manifests'
    $null = New-Item -ItemType Directory $manifests
    foreach ($app in $apps) {
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $($app.Name)
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: app=$ecrHost/$($app.Repo):1.x
    argocd-image-updater.argoproj.io/app.helm.image-tag: image.tag
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: helmvalues:values.yaml
spec:
  project: default
  source:
    repoURL: $($git.url)gitops.git
    path: apps/$($app.Name)
    targetRevision: main
    helm: {}
"@ | Set-Content (Join-Path $manifests "$($app.Name).yaml")
    }

    $text = Get-Content (Join-Path $repoRoot 'tests/ImageUpdater.PS.Tests/Issue17/Webhooks/ecr-eventbridge.http') -Raw
    $event = ($text -split "\r?\n\r?\n", 2)[1] | ConvertFrom-Json
    $event.region = 'us-east-1'
    $event.detail.'repository-name' = 'team/web'
    $cache = Join-Path $work 'cache'
    $common = @{ Path = $manifests; WorkingDirectory = $cache; GitCredential = $gitCredential; WarningAction = 'SilentlyContinue'; InformationAction = 'SilentlyContinue' }

    Write-Host "Push latency: $Applications applications use team/web (+ $OtherApplications using team/other) in one repository over smart HTTP; ECR ${LatencyMs} ms per request"
    $times = @()
    $failed = $false
    for ($round = 1; $round -le $Rounds; $round++) {
        $event.detail.'image-tag' = "1.$round.0"
        $webhookData = [pscustomobject]@{ WebhookName = 'ecr'; RequestBody = ($event | ConvertTo-Json -Depth 5 -Compress); RequestHeader = [pscustomobject]@{ 'X-Webhook-Secret' = 'hook-secret' } }
        $before = @(Invoke-Git -C $bare rev-list main).Count
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $results = @(ConvertFrom-RegistryWebhook $webhookData -Secret 'hook-secret' | Invoke-ImageUpdater @common @aws -SummaryVariable summary)
        $clock.Stop()
        $commits = @(Invoke-Git -C $bare rev-list main).Count - $before
        $updated = @($results | Where-Object Status -EQ 'Updated').Count
        $requests = ($summary.Requests.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ' '
        Write-Host ("  round {0}{1}: {2,6:N0} ms  updated {3}, commits {4}, registry requests: {5}" -f $round, $(if ($round -eq 1) { ' (cold clone)' } else { '' }), $clock.Elapsed.TotalMilliseconds, $updated, $commits, $(if ($requests) { $requests } else { 'none' }))
        if ($updated -ne $Applications -or $commits -ne 1) { $failed = $true }
        if ($round -gt 1) { $times += $clock.Elapsed.TotalMilliseconds }
    }

    $sorted = $times | Sort-Object
    $median = $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)]
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $full = @(Invoke-ImageUpdater @common @aws -SummaryVariable fullSummary)
    $clock.Stop()
    $fullRequests = ($fullSummary.Requests.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ' '
    Write-Host ("Median event→push (warm rounds): {0:N0} ms (goal < 2000 ms); full unscoped run of the same fleet: {1:N0} ms, {2} results, requests: {3}" -f $median, $clock.Elapsed.TotalMilliseconds, $full.Count, $fullRequests)
    if ($failed -or $median -ge 2000) { Write-Host 'FAIL'; exit 1 }
}
finally {
    if ($ecr) { $ecr.Stop() }
    if ($git) { $git.Stop() }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
