<#
.SYNOPSIS
    One flow, one answer: the same fleet through Get-ArgoApplication | Find-EcrTag | Update-HelmImageTag and through
    Invoke-ImageUpdater, timed in one run.
.DESCRIPTION
    Generates N applications (one ECR image each) over R ECR repositories on the ECR emulator (injected latency) and G bare
    git repositories with one values file per application; then runs each form in a fresh process on its own copy of the
    repositories (git write-back into the bare repositories), and prints both wall times, their ratio (goal <= 1.3x) and
    the emulator's request counts and peak requests in flight for each. -Repeat N runs both forms N times (the order
    alternating, so neither always runs first), each on fresh copies, and prints every run's ratio and the medians.
    -Phases adds when each stage's first and last object passed (extra pipeline stages and -Verbose: a diagnosis; its
    times are not the benchmark's).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Applications = 200,
    [int] $EcrRepositories = 20,
    [int] $TagsPerRepository = 200,
    [int] $GitRepositories = 20,
    [int] $LatencyMs = 50,
    [int] $ThrottleLimit = 8,
    [ValidateRange(1, 50)] [int] $Repeat = 1,
    [switch] $Phases
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

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $middle = [math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

function Get-Load {
    if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg -Raw) -split ' ')[0..2] -join ' ' } else { 'n/a' }
}

$ecr = $null
try {
    Write-Host "Fleet: $Applications applications over $EcrRepositories ECR repositories x $TagsPerRepository tags, $GitRepositories git repositories, ${LatencyMs} ms per ECR request, ThrottleLimit $ThrottleLimit; $Repeat repeat(s); load average $(Get-Load)"
    $template = Join-Path $work 'template'
    New-Repositories $template

    $emulatorArgs = @('--key', 'AKIAPIPEBENCH0000001:pipe-secret', '--latency-ms', "$LatencyMs")
    for ($i = 0; $i -lt $EcrRepositories; $i++) { $emulatorArgs += '--images', ('team/svc-{0:D2}={1}' -f $i, $TagsPerRepository) }
    $ecr = Start-Emulator ecr $emulatorArgs
    # Warm the emulator (its request path compiled) so neither form pays for the stand-in's start-up.
    Import-Module $ModulePath
    $warm = @{ AccessKey = 'AKIAPIPEBENCH0000001'; SecretKey = (ConvertTo-SecureString 'pipe-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $ecr.url }
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    0..($EcrRepositories - 1) | ForEach-Object { [pscustomobject]@{ RepositoryName = 'team/svc-{0:D2}' -f $_ } } | Find-EcrTag @warm -First 1 | Out-Null

    $rows = [Collections.Generic.List[object]]::new()
    for ($round = 1; $round -le $Repeat; $round++) {
        # Alternating order: a form that always ran first (or second) would always meet the same page cache and load.
        $order = if ($round % 2) { 'Pipeline', 'Invoke' } else { 'Invoke', 'Pipeline' }
        $runs = @{}
        foreach ($mode in $order) {
            # Fresh repositories, manifests and clone cache per run: a second run on the same ones would find nothing to update.
            $root = Join-Path $work "repos-$mode-$round"
            Copy-Item $template $root -Recurse
            $manifests = Join-Path $work "manifests-$mode-$round"
            New-Manifests $manifests $root
            $null = Invoke-RestMethod -Method Delete "$($ecr.url)__emulator/stats"
            if (Get-Command sync -CommandType Application -ErrorAction SilentlyContinue) { & sync }
            Write-Host "  run $round/${Repeat}: $mode ..."
            $runArgs = @{ ModulePath = $ModulePath; Mode = $mode; Manifests = $manifests; Cache = (Join-Path $work "cache-$mode-$round"); EndpointUrl = $ecr.url; ThrottleLimit = $ThrottleLimit }
            $line = & $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Invoke-PipelineRun.ps1') @runArgs -Phases:$Phases | Select-Object -Last 1
            $r = $line | ConvertFrom-Json
            $stats = Invoke-RestMethod "$($ecr.url)__emulator/stats"
            $runs[$mode] = [pscustomobject]@{
                Run              = $round
                Form             = if ($mode -eq 'Pipeline') { 'Get-ArgoApplication | Find-EcrTag | Update-HelmImageTag' } else { 'Invoke-ImageUpdater' }
                'Wall (s)'       = $r.WallSeconds
                'CPU (s)'        = $r.CpuSeconds
                'Look-up (s)'    = $r.LookUpSeconds
                Results          = $r.Results
                Updated          = $r.Statuses.Updated
                Commits          = $r.Commits
                DescribeImages   = $stats.DescribeImages
                'Peak in flight' = $stats.peakInFlight
                Errors           = ($r.Errors -join ' | ')
                Phases           = $r.Phases
            }
        }

        $pipeline = $runs['Pipeline']; $invoke = $runs['Invoke']
        $ratio = $pipeline.'Wall (s)' / $invoke.'Wall (s)'
        $rows.Add([pscustomobject]@{ Pipeline = $pipeline; Invoke = $invoke; Ratio = $ratio; First = $order[0] })
        $pipeline, $invoke | Select-Object -ExcludeProperty Phases | Format-Table -AutoSize | Out-String -Width 250 | Write-Host
        if ($Phases) {
            foreach ($run in $pipeline, $invoke) {
                Write-Host "  phases of $($run.Form) (s since its start):"
                $run.Phases.PSObject.Properties | ForEach-Object { Write-Host ('    {0,-26} {1,7:N3}' -f $_.Name, $_.Value) }
            }
        }

        Write-Host ("Run {0} ({1} first): Pipeline / Invoke-ImageUpdater: {2:N2} s / {3:N2} s = {4:N2}x (goal <= 1.3x); CPU {5:N2} s / {6:N2} s; DescribeImages {7} and {8} (goal {9} each: one listing per repository)" -f $round, $order[0], $pipeline.'Wall (s)', $invoke.'Wall (s)', $ratio, $pipeline.'CPU (s)', $invoke.'CPU (s)', $pipeline.DescribeImages, $invoke.DescribeImages, $EcrRepositories * [math]::Ceiling($TagsPerRepository / 1000))
    }

    if ($Repeat -gt 1) {
        Write-Host ''
        Write-Host ("Ratios: {0}" -f (($rows | ForEach-Object { '{0:N2}x' -f $_.Ratio }) -join ' / '))
        Write-Host ("Median of {0} runs: Pipeline {1:N2} s, Invoke-ImageUpdater {2:N2} s, ratio {3:N2}x (goal <= 1.3x); median CPU {4:N2} s / {5:N2} s; load average now {6}" -f $Repeat,
            (Get-Median ($rows | ForEach-Object { $_.Pipeline.'Wall (s)' })), (Get-Median ($rows | ForEach-Object { $_.Invoke.'Wall (s)' })), (Get-Median ($rows | ForEach-Object { $_.Ratio })),
            (Get-Median ($rows | ForEach-Object { $_.Pipeline.'CPU (s)' })), (Get-Median ($rows | ForEach-Object { $_.Invoke.'CPU (s)' })), (Get-Load))
    }
}
finally {
    if ($ecr) { $ecr.Stop() }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
