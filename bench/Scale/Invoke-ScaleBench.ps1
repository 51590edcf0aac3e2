<#
.SYNOPSIS
    Issue #9's fleet benchmark: N applications x 2 images over the ECR emulator (injected latency) and real git repositories.
.DESCRIPTION
    Generates the scenario (ECR repositories with generated tags, bare git repositories with one values file per
    application, one Application manifest per application), then runs Invoke-ImageUpdater in a fresh process with
    -ThrottleLimit $ThrottleLimit and again with -ThrottleLimit 1 on fresh copies of the repositories, and prints wall
    time, time to the first result, requests per operation, commits and pushes, peak working set and the speed-up.
    Last, the reliability pass: 10 % ECR throttling and one rejected push per repository (git over smart HTTP with a
    concurrent writer landing before each repository's first push): every image must still be updated.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Applications = 1000,
    [int] $EcrRepositories = 50,
    [int] $TagsPerRepository = 2000,
    [int] $GitRepositories = 100,
    [int] $LatencyMs = 50,
    [int] $ThrottleLimit = 16,
    [switch] $SkipSequential,
    # Pairs of runs (concurrent, then sequential); the summary uses the medians. Shared virtual machines are noisy.
    [ValidateRange(1, 9)] [int] $Repeat = 1,
    [switch] $SkipReliability
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
Import-Module (Join-Path $repoRoot 'tests/ImageUpdater.PS.Tests/TestHelpers.psm1') -Force
$pwsh = Get-PwshPath
$work = Join-Path ([IO.Path]::GetTempPath()) ("iu-scale-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory $work
$ecrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'

function New-Repositories([string] $Root) {
    # One seed repository per git repository, built with the git CLI, then pushed into a bare one.
    New-BenchRepositories -Root $Root -Seed (Join-Path $work 'seed') -GitRepositories $GitRepositories -Applications $Applications -Values {
        param($a) "# app $a`nfrontend:`n  image:`n    tag: 1.0.0 # managed`nbackend:`n  image:`n    tag: 1.0.0 # managed`n"
    }
}

function New-Manifests([string] $Folder, [scriptblock] $RepoUrl) {
    $ecr = $EcrRepositories; $hostName = $ecrHost
    New-BenchManifests -Folder $Folder -GitRepositories $GitRepositories -Applications $Applications -RepoUrl $RepoUrl -Images {
        param($a)
        $front = 'svc-{0:D2}' -f ($a % $ecr)
        $back = 'svc-{0:D2}' -f [int](($a + [int][math]::Floor($ecr / 2)) % $ecr)
        "    argocd-image-updater.argoproj.io/image-list: fe=$hostName/team/${front}:1.x, be=$hostName/team/${back}:1.x"
        '    argocd-image-updater.argoproj.io/fe.helm.image-tag: frontend.image.tag'
        '    argocd-image-updater.argoproj.io/be.helm.image-tag: backend.image.tag'
    }.GetNewClosure()
}

function Start-Ecr([string[]] $Extra = @()) {
    $args = @('--key', 'AKIASCALEBENCH000001:scale-secret', '--latency-ms', "$LatencyMs")
    for ($i = 0; $i -lt $EcrRepositories; $i++) { $args += '--images', ('team/svc-{0:D2}={1}' -f $i, $TagsPerRepository) }
    Start-Emulator ecr ($args + $Extra)
}

# The emulator is a stand-in for a service that is always warm: before anything is measured, every repository is listed
# once from this process, which compiles its request path (SigV4 check, paging, JSON), so no run pays for the stand-in's
# start-up on the machine's shared cores.
function Initialize-Emulator($Emulator) {
    Import-Module $ModulePath
    $key = @{ AccessKey = 'AKIASCALEBENCH000001'; SecretKey = (ConvertTo-SecureString 'scale-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $Emulator.url }
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    for ($i = 0; $i -lt $EcrRepositories; $i++) {
        $null = Find-EcrTag @key -Repository ('team/svc-{0:D2}' -f $i) -UpdateStrategy semver -Constraint 1.x -ErrorAction SilentlyContinue
    }
    $null = Invoke-RestMethod -Method Delete "$($Emulator.url)__emulator/stats"
}

function Invoke-Scenario([string] $Label, [string] $Manifests, [string] $EndpointUrl, [int] $Throttle, [string] $GitUser, [string] $GitPassword) {
    $cache = Join-Path $work ("cache-" + [guid]::NewGuid().ToString('N').Substring(0, 6))
    $argsList = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Invoke-ScenarioRun.ps1'), '-ModulePath', $ModulePath, '-Manifests', $Manifests, '-Cache', $cache, '-EndpointUrl', $EndpointUrl, '-ThrottleLimit', "$Throttle")
    if ($GitUser) {
        # The credential reaches the child through its environment, never its command line.
        $env:IMAGEUPDATER_GIT_USERNAME = $GitUser; $env:IMAGEUPDATER_GIT_PASSWORD = $GitPassword
    }
    # Files written while generating are flushed first, so no run shares the disk with the kernel writing them back.
    if (Get-Command sync -CommandType Application -ErrorAction SilentlyContinue) { & sync }
    Write-Host "  running: $Label (ThrottleLimit $Throttle) ..."
    $line = & $pwsh @argsList | Select-Object -Last 1
    Remove-Item Env:IMAGEUPDATER_GIT_USERNAME, Env:IMAGEUPDATER_GIT_PASSWORD -ErrorAction SilentlyContinue
    $r = $line | ConvertFrom-Json
    $r | Add-Member -NotePropertyName Label -NotePropertyValue $Label
    $r | Add-Member -NotePropertyName Throttle -NotePropertyValue $Throttle
    $r
}

$ecr = $null; $gitHttp = $null
try {
    Write-Host "Scenario: $Applications applications x 2 images, $EcrRepositories ECR repositories x $TagsPerRepository tags, $GitRepositories git repositories, ${LatencyMs} ms per ECR request"
    $generate = [Diagnostics.Stopwatch]::StartNew()
    $template = Join-Path $work 'template'
    New-Repositories $template
    # Each run gets its own copy of the repositories and its own manifests, all made before anything is measured and
    # nothing deleted until the end: creating files right after deleting thousands is slower on ext4 (it skips
    # recently freed inodes), which would tax whichever run came second.
    $labels = @('concurrent') + @(if (-not $SkipSequential) { 'sequential' })
    $sets = @{}
    for ($round = 1; $round -le $Repeat; $round++) {
        foreach ($label in $labels) {
            $root = Join-Path $work "repos-$label-$round"
            $manifests = Join-Path $work "manifests-$label-$round"
            Copy-Item $template $root -Recurse
            New-Manifests $manifests { param($repo) [Uri]::new((Join-Path $root "$repo.git")).AbsoluteUri }.GetNewClosure()
            $sets["$label-$round"] = $manifests
        }
    }
    Write-Host ("  generated in {0:N1} s" -f $generate.Elapsed.TotalSeconds)

    $ecr = Start-Ecr
    Initialize-Emulator $ecr
    $runs = @()
    for ($round = 1; $round -le $Repeat; $round++) {
        $runs += Invoke-Scenario 'concurrent' $sets["concurrent-$round"] $ecr.url $ThrottleLimit
        $stats = Invoke-RestMethod "$($ecr.url)__emulator/stats"
        if ($round -eq 1) { $statsConcurrent = $stats }
        $null = Invoke-RestMethod -Method Delete "$($ecr.url)__emulator/stats"
        if (-not $SkipSequential) {
            $runs += Invoke-Scenario 'sequential' $sets["sequential-$round"] $ecr.url 1
        }
    }
    $ecr.Stop(); $ecr = $null

    if (-not $SkipReliability) {
        $httpRoot = Join-Path $work 'repos-http'
        Copy-Item $template $httpRoot -Recurse
        $gitHttp = Start-Emulator git-http @('--root', $httpRoot, '--user', 'bench', '--password', 'bench-password', '--race-every', 'main')
        $httpManifests = Join-Path $work 'manifests-http'
        New-Manifests $httpManifests { param($repo) "$($gitHttp.url)$repo.git" }
        $ecr = Start-Ecr @('--throttle-rate', '0.1')
        Initialize-Emulator $ecr
        $runs += Invoke-Scenario 'reliability' $httpManifests $ecr.url $ThrottleLimit 'bench' 'bench-password'
        $gitStats = Invoke-RestMethod "$($gitHttp.url)_stats" -ErrorAction SilentlyContinue
    }

    Write-Host ''
    $runs | ForEach-Object {
        [pscustomobject]@{
            Run              = $_.Label
            Throttle         = $_.Throttle
            'Wall (s)'       = $_.WallSeconds
            'First (s)'      = $_.FirstResultSeconds
            'CPU (s)'        = $_.CpuSeconds
            'Run CPU (s)'    = $_.RunCpuSeconds
            'JIT (s)'        = $_.JitSeconds
            Images           = $_.Images
            Updated          = $_.Updated
            Failed           = $_.Failed
            DescribeImages   = $_.Requests.'ecr DescribeImages'
            Commits          = $_.Commits
            Pushes           = $_.Pushes
            Retries          = $_.Retries
            'Peak WS (MB)'   = $_.PeakWorkingSetMB
        }
    } | Format-Table -AutoSize -Property Run, Throttle, 'Wall (s)', 'First (s)', 'CPU (s)', 'Run CPU (s)', 'JIT (s)', Images, Updated, Failed, DescribeImages, Commits, Pushes, Retries, 'Peak WS (MB)' |
        Out-String -Width 250 | Write-Host

    # With -Repeat, the run of median wall time stands for each kind.
    function Select-Median($Kind) {
        $all = @($runs | Where-Object Label -EQ $Kind | Sort-Object WallSeconds)
        if ($all.Count) { $all[[int][math]::Floor(($all.Count - 1) / 2)] }
    }
    $concurrent = Select-Median 'concurrent'
    $sequential = Select-Median 'sequential'
    if ($Repeat -gt 1) { Write-Host ("Medians of {0} runs each: concurrent {1:N2} s, sequential {2:N2} s" -f $Repeat, $concurrent.WallSeconds, $sequential.WallSeconds) }
    $expectedCalls = $EcrRepositories * [math]::Ceiling($TagsPerRepository / 1000)
    Write-Host ("DescribeImages calls (emulator count, concurrent run): {0}; goal {1} x ceil({2}/1000) = {3}" -f $statsConcurrent.DescribeImages, $EcrRepositories, $TagsPerRepository, $expectedCalls)
    if ($sequential) {
        Write-Host ("Speed-up, ThrottleLimit {0} vs 1: {1:N1}x (goal >= 6x)" -f $ThrottleLimit, ($sequential.WallSeconds / $concurrent.WallSeconds))
        # The concurrent run cannot finish before its CPU work does, spread over every core: that bounds the speed-up here.
        $cores = [Environment]::ProcessorCount
        $floor = $concurrent.RunCpuSeconds / $cores
        Write-Host ("CPU floor: the concurrent run used {0:N2} CPU-s while it ran ({1:N2} s of them compiling, JIT) on {2} cores, so it cannot take under {3:N2} s here; best possible speed-up on this machine {4:N1}x" -f $concurrent.RunCpuSeconds, $concurrent.JitSeconds, $cores, $floor, ($sequential.WallSeconds / $floor))
    }
    Write-Host ("Pushes: {0} (goal <= {1}); peak working set {2} MB (goal < 500 MB)" -f $concurrent.Pushes, $GitRepositories, $concurrent.PeakWorkingSetMB)
    $reliability = $runs | Where-Object Label -EQ 'reliability'
    if ($reliability) {
        Write-Host ("Reliability: {0} of {1} images updated, {2} failed, {3} retries counted (ECR throttling + rejected pushes); concurrent writers landed: {4}" -f $reliability.Updated, $reliability.Images, $reliability.Failed, $reliability.Retries, $gitStats.races)
        if ($reliability.Errors) { Write-Host ("  first errors: " + ($reliability.Errors -join ' | ')) }
    }
}
finally {
    if ($ecr) { $ecr.Stop() }
    if ($gitHttp) { $gitHttp.Stop() }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
