<#
.SYNOPSIS
    One flow, one answer: the same fleet through Get-ArgoApplication | Find-EcrTag | Update-HelmImageTag and through
    Invoke-ImageUpdater, timed in one run.
.DESCRIPTION
    Generates N applications (one ECR image each) over R ECR repositories on the ECR emulator (injected latency) and G bare
    git repositories with one values file per application; then runs each form in a fresh process on its own copy of the
    repositories (git write-back into the bare repositories), and prints both wall times, their ratio (goal <= 1.3x) and
    the emulator's request counts and peak requests in flight for each.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Applications = 200,
    [int] $EcrRepositories = 20,
    [int] $TagsPerRepository = 200,
    [int] $GitRepositories = 20,
    [int] $LatencyMs = 50,
    [int] $ThrottleLimit = 8
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
Import-Module (Join-Path $repoRoot 'tests/ImageUpdater.PS.Tests/TestHelpers.psm1') -Force
$pwsh = Get-PwshPath
$work = Join-Path ([IO.Path]::GetTempPath()) ("iu-pipeline-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory $work
$ecrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'

function New-Repositories([string] $Root) {
    New-BenchRepositories -Root $Root -Seed (Join-Path $work 'seed') -GitRepositories $GitRepositories -Applications $Applications -Values { param($a) "# app $a`nimage:`n  tag: 1.0.0 # managed`n" }
}

function New-Manifests([string] $Folder, [string] $Root) {
    $ecr = $EcrRepositories; $hostName = $ecrHost
    New-BenchManifests -Folder $Folder -GitRepositories $GitRepositories -Applications $Applications -RepoUrl { param($repo) [Uri]::new((Join-Path $Root "$repo.git")).AbsoluteUri }.GetNewClosure() -Images {
        param($a)
        "    argocd-image-updater.argoproj.io/image-list: web=$hostName/team/$('svc-{0:D2}' -f ($a % $ecr)):1.x"
        '    argocd-image-updater.argoproj.io/web.helm.image-tag: image.tag'
    }.GetNewClosure()
}

$ecr = $null
try {
    Write-Host "Fleet: $Applications applications over $EcrRepositories ECR repositories x $TagsPerRepository tags, $GitRepositories git repositories, ${LatencyMs} ms per ECR request, ThrottleLimit $ThrottleLimit"
    $template = Join-Path $work 'template'
    New-Repositories $template
    $sets = @{}
    foreach ($mode in 'Pipeline', 'Invoke') {
        $root = Join-Path $work "repos-$mode"
        Copy-Item $template $root -Recurse
        $manifests = Join-Path $work "manifests-$mode"
        New-Manifests $manifests $root
        $sets[$mode] = $manifests
    }

    $emulatorArgs = @('--key', 'AKIAPIPEBENCH0000001:pipe-secret', '--latency-ms', "$LatencyMs")
    for ($i = 0; $i -lt $EcrRepositories; $i++) { $emulatorArgs += '--images', ('team/svc-{0:D2}={1}' -f $i, $TagsPerRepository) }
    $ecr = Start-Emulator ecr $emulatorArgs
    # Warm the emulator (its request path compiled) so neither form pays for the stand-in's start-up.
    Import-Module $ModulePath
    $warm = @{ AccessKey = 'AKIAPIPEBENCH0000001'; SecretKey = (ConvertTo-SecureString 'pipe-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $ecr.url }
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    0..($EcrRepositories - 1) | ForEach-Object { [pscustomobject]@{ RepositoryName = 'team/svc-{0:D2}' -f $_ } } | Find-EcrTag @warm -First 1 | Out-Null

    $runs = foreach ($mode in 'Pipeline', 'Invoke') {
        $null = Invoke-RestMethod -Method Delete "$($ecr.url)__emulator/stats"
        if (Get-Command sync -CommandType Application -ErrorAction SilentlyContinue) { & sync }
        Write-Host "  running: $mode ..."
        $line = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Invoke-PipelineRun.ps1') -ModulePath $ModulePath -Mode $mode -Manifests $sets[$mode] -Cache (Join-Path $work "cache-$mode") -EndpointUrl $ecr.url -ThrottleLimit $ThrottleLimit | Select-Object -Last 1
        $r = $line | ConvertFrom-Json
        $stats = Invoke-RestMethod "$($ecr.url)__emulator/stats"
        [pscustomobject]@{
            Form            = if ($mode -eq 'Pipeline') { 'Get-ArgoApplication | Find-EcrTag | Update-HelmImageTag' } else { 'Invoke-ImageUpdater' }
            'Wall (s)'      = $r.WallSeconds
            'Look-up (s)'   = $r.LookUpSeconds
            Results         = $r.Results
            Updated         = $r.Statuses.Updated
            Commits         = $r.Commits
            DescribeImages  = $stats.DescribeImages
            'Peak in flight' = $stats.peakInFlight
            Errors          = ($r.Errors -join ' | ')
        }
    }
    $runs | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
    $pipeline = $runs[0]; $invoke = $runs[1]
    Write-Host ("Pipeline / Invoke-ImageUpdater: {0:N2} s / {1:N2} s = {2:N2}x (goal <= 1.3x); DescribeImages {3} and {4} (goal {5} each: one listing per repository)" -f $pipeline.'Wall (s)', $invoke.'Wall (s)', ($pipeline.'Wall (s)' / $invoke.'Wall (s)'), $pipeline.DescribeImages, $invoke.DescribeImages, $EcrRepositories * [math]::Ceiling($TagsPerRepository / 1000))
}
finally {
    if ($ecr) { $ecr.Stop() }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
