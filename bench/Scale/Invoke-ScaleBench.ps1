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
    -Sizes runs the concurrent scenario at several fleet sizes in one go (git and ECR repositories scale with the
    applications, in the proportions of -Applications/-GitRepositories/-EcrRepositories) and prints CPU-seconds per
    1 000 applications, the CPU floor ratio and each size's per-application CPU against the -Applications size.
    -StraceSummary runs one more concurrent run at -Applications under `strace -c -f` and prints system calls per git
    repository. -ChildEnvironment sets environment variables in every measured process (e.g. @{ DOTNET_TieredPGO = '0' });
    -Variants adds concurrent runs with further variables (e.g. @{ DOTNET_TieredPGO = '0' }), interleaved with the plain ones
    in every round, so runtime settings are compared under the same load.
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
    [switch] $SkipReliability,
    # Fleet sizes for the concurrent run (e.g. 250,500,1000,2000); the sequential run and the reliability pass use -Applications.
    [int[]] $Sizes,
    # A file for `strace -c -f` of one extra concurrent run at -Applications (needs strace).
    [string] $StraceSummary,
    [hashtable] $ChildEnvironment = @{},
    [hashtable[]] $Variants = @()
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
Import-Module (Join-Path $repoRoot 'tests/ImageUpdater.PS.Tests/TestHelpers.psm1') -Force
$pwsh = Get-PwshPath
$work = Join-Path ([IO.Path]::GetTempPath()) ("iu-scale-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory $work
$ecrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'

function New-Repositories([string] $Root, [int] $Apps, [int] $Repos) {
    # Bare repositories seeded by `git fast-import` (two git processes per repository instead of five and no seed checkout; the
    # seed commit lands as a pack, as on a server). Repository r holds the values files of applications r, r + Repos, ...
    $null = New-Item -ItemType Directory $Root
    for ($r = 0; $r -lt $Repos; $r++) {
        $bare = Join-Path $Root ('gitops-{0:D3}.git' -f $r)
        Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
        $stream = [Text.StringBuilder]::new()
        $null = $stream.Append("commit refs/heads/main`nauthor Seed <seed@example.com> 1764460800 +0000`ncommitter Seed <seed@example.com> 1764460800 +0000`ndata 4`nseed`n")
        for ($a = $r; $a -lt $Apps; $a += $Repos) {
            $values = "# app $a`nfrontend:`n  image:`n    tag: 1.0.0 # managed`nbackend:`n  image:`n    tag: 1.0.0 # managed`n"
            $null = $stream.Append(('M 100644 inline apps/app-{0:D4}/values.yaml' -f $a)).Append("`ndata $([Text.Encoding]::UTF8.GetByteCount($values))`n").Append($values).Append("`n")
        }
        $stream.ToString() | & git -C $bare fast-import --quiet
        if ($LASTEXITCODE) { throw "git fast-import into $bare failed" }
    }
}

function New-Manifests([string] $Folder, [scriptblock] $RepoUrl, [int] $Apps, [int] $Repos, [int] $Ecr) {
    # The same manifests as TestHelpers' New-BenchManifests, written by one loop (thousands of files per set).
    $null = New-Item -ItemType Directory $Folder
    $urls = @(for ($r = 0; $r -lt $Repos; $r++) { & $RepoUrl ('gitops-{0:D3}' -f $r) })
    $prefix = 'argocd-image-updater.argoproj.io'
    for ($a = 0; $a -lt $Apps; $a++) {
        $front = 'svc-{0:D2}' -f ($a % $Ecr)
        $back = 'svc-{0:D2}' -f [int](($a + [int][math]::Floor($Ecr / 2)) % $Ecr)
        $name = 'app-{0:D4}' -f $a
        $text = "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata:`n  name: $name`n  namespace: argocd`n  annotations:`n" +
            "    ${prefix}/image-list: fe=$ecrHost/team/${front}:1.x, be=$ecrHost/team/${back}:1.x`n" +
            "    ${prefix}/fe.helm.image-tag: frontend.image.tag`n    ${prefix}/be.helm.image-tag: backend.image.tag`n" +
            "    ${prefix}/write-back-method: git`n    ${prefix}/write-back-target: helmvalues:values.yaml`n" +
            "spec:`n  project: fleet`n  source:`n    repoURL: $($urls[$a % $Repos])`n    path: apps/$name`n    targetRevision: main`n    helm: {}`n"
        [IO.File]::WriteAllText((Join-Path $Folder "$name.yaml"), $text)
    }
}

function Start-Ecr([int] $Repositories, [string[]] $Extra = @()) {
    $args = @('--key', 'AKIASCALEBENCH000001:scale-secret', '--latency-ms', "$LatencyMs")
    for ($i = 0; $i -lt $Repositories; $i++) { $args += '--images', ('team/svc-{0:D2}={1}' -f $i, $TagsPerRepository) }
    Start-Emulator ecr ($args + $Extra)
}

# The emulator is a stand-in for a service that is always warm: before anything is measured, every repository is listed
# once from this process, which compiles its request path (SigV4 check, paging, JSON), so no run pays for the stand-in's
# start-up on the machine's shared cores.
function Initialize-Emulator($Emulator, [int] $Repositories) {
    Import-Module $ModulePath
    $key = @{ AccessKey = 'AKIASCALEBENCH000001'; SecretKey = (ConvertTo-SecureString 'scale-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $Emulator.url }
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    for ($i = 0; $i -lt $Repositories; $i++) {
        $null = Find-EcrTag @key -Repository ('team/svc-{0:D2}' -f $i) -UpdateStrategy semver -Constraint 1.x -ErrorAction SilentlyContinue
    }
    $null = Invoke-RestMethod -Method Delete "$($Emulator.url)__emulator/stats"
}

function Invoke-Scenario([string] $Label, [string] $Manifests, [string] $EndpointUrl, [int] $Throttle, [string] $GitUser, [string] $GitPassword, [int] $Apps = $Applications, [string] $Strace, [hashtable] $Variant = @{}) {
    $cache = Join-Path $work ("cache-" + [guid]::NewGuid().ToString('N').Substring(0, 6))
    $argsList = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Invoke-ScenarioRun.ps1'), '-ModulePath', $ModulePath, '-Manifests', $Manifests, '-Cache', $cache, '-EndpointUrl', $EndpointUrl, '-ThrottleLimit', "$Throttle")
    if ($GitUser) {
        # The credential reaches the child through its environment, never its command line.
        $env:IMAGEUPDATER_GIT_USERNAME = $GitUser; $env:IMAGEUPDATER_GIT_PASSWORD = $GitPassword
    }
    # Files written while generating are flushed first, so no run shares the disk with the kernel writing them back.
    if (Get-Command sync -CommandType Application -ErrorAction SilentlyContinue) { & sync }
    $environment = $ChildEnvironment.Clone(); foreach ($k in $Variant.Keys) { $environment[$k] = $Variant[$k] }
    foreach ($name in $environment.Keys) { Set-Item "Env:$name" ([string] $environment[$name]) }
    Write-Host "  running: $Label, $Apps applications (ThrottleLimit $Throttle) $(Get-VariantName $Variant) ..."
    if ($Strace) { $line = & strace -f -c -o $Strace $pwsh @argsList | Select-Object -Last 1 }
    else { $line = & $pwsh @argsList | Select-Object -Last 1 }
    Remove-Item Env:IMAGEUPDATER_GIT_USERNAME, Env:IMAGEUPDATER_GIT_PASSWORD -ErrorAction SilentlyContinue
    foreach ($name in $environment.Keys) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue }
    $r = $line | ConvertFrom-Json
    $r | Add-Member -NotePropertyName Label -NotePropertyValue $Label
    $r | Add-Member -NotePropertyName Throttle -NotePropertyValue $Throttle
    $r | Add-Member -NotePropertyName Size -NotePropertyValue $Apps
    $r | Add-Member -NotePropertyName Variant -NotePropertyValue (Get-VariantName $Variant)
    $r
}

function Get-VariantName([hashtable] $Variant) {
    if (-not $Variant -or -not $Variant.Count) { return 'plain' }
    ($Variant.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ' '
}

# Git and ECR repositories grow with the fleet in the proportions of the -Applications scenario (10 and 20 applications each by default).
function Get-Shape([int] $Apps) {
    [pscustomobject]@{
        Apps = $Apps
        Git  = [math]::Max(1, [int][math]::Round($Apps * $GitRepositories / $Applications))
        Ecr  = [math]::Max(1, [int][math]::Round($Apps * $EcrRepositories / $Applications))
    }
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count -eq 0) { return [double]::NaN }
    $mid = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
}

$ecr = $null; $gitHttp = $null
try {
    if (-not $Sizes) { $Sizes = @($Applications) }
    $Sizes = @($Sizes | Sort-Object -Unique)
    $shapes = @($Sizes | ForEach-Object { Get-Shape $_ })
    $maxEcr = (@($shapes.Ecr) + @($EcrRepositories) | Measure-Object -Maximum).Maximum
    Write-Host "Scenario: $($Sizes -join ', ') applications x 2 images ($Applications applications: $EcrRepositories ECR repositories x $TagsPerRepository tags, $GitRepositories git repositories; the others in proportion), ${LatencyMs} ms per ECR request"
    if ($ChildEnvironment.Count) { Write-Host ("  environment of each run: " + (($ChildEnvironment.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ' ')) }
    $generate = [Diagnostics.Stopwatch]::StartNew()
    # Each run gets its own copy of the repositories and its own manifests, all made before anything is measured and
    # nothing deleted until the end: creating files right after deleting thousands is slower on ext4 (it skips
    # recently freed inodes), which would tax whichever run came second.
    $sets = @{}
    $templates = @{}
    $variantList = @(@{}) + @($Variants)
    $variantSize = if ($Sizes -contains $Applications) { $Applications } else { ($Sizes | Measure-Object -Maximum).Maximum }
    $needBase = -not $SkipSequential -or -not $SkipReliability -or $StraceSummary
    foreach ($shape in $shapes + @(if ($needBase) { Get-Shape $Applications })) {
        if ($templates.ContainsKey($shape.Apps)) { continue }
        $template = Join-Path $work "template-$($shape.Apps)"
        New-Repositories $template $shape.Apps $shape.Git
        $templates[$shape.Apps] = $template
    }
    function Add-Set([string] $Key, $Shape) {
        $root = Join-Path $work "repos-$Key"
        $manifests = Join-Path $work "manifests-$Key"
        if (Get-Command cp -CommandType Application -ErrorAction SilentlyContinue) { & cp -r $templates[$Shape.Apps] $root } else { Copy-Item $templates[$Shape.Apps] $root -Recurse }
        New-Manifests $manifests { param($repo) [Uri]::new((Join-Path $root "$repo.git")).AbsoluteUri }.GetNewClosure() $Shape.Apps $Shape.Git $Shape.Ecr
        $sets[$Key] = $manifests
    }
    $base = Get-Shape $Applications
    for ($round = 1; $round -le $Repeat; $round++) {
        # Variants run at the -Applications size only (or the largest size when it is not among -Sizes).
        foreach ($shape in $shapes) { for ($v = 0; $v -lt $variantList.Count; $v++) { if ($v -eq 0 -or $shape.Apps -eq $variantSize) { Add-Set "concurrent-$v-$($shape.Apps)-$round" $shape } } }
        if (-not $SkipSequential) { Add-Set "sequential-$round" $base }
    }
    if ($StraceSummary) { Add-Set 'strace' $base }
    Write-Host ("  generated in {0:N1} s" -f $generate.Elapsed.TotalSeconds)

    $ecr = Start-Ecr $maxEcr
    Initialize-Emulator $ecr $maxEcr
    $runs = @()
    $statsConcurrent = $null
    for ($round = 1; $round -le $Repeat; $round++) {
        foreach ($shape in $shapes) {
            for ($v = 0; $v -lt $variantList.Count; $v++) {
                if ($v -gt 0 -and $shape.Apps -ne $variantSize) { continue }
                $null = Invoke-RestMethod -Method Delete "$($ecr.url)__emulator/stats"
                $runs += Invoke-Scenario 'concurrent' $sets["concurrent-$v-$($shape.Apps)-$round"] $ecr.url $ThrottleLimit -Apps $shape.Apps -Variant $variantList[$v]
                if ($round -eq 1 -and $v -eq 0 -and $shape.Apps -eq $Applications) { $statsConcurrent = Invoke-RestMethod "$($ecr.url)__emulator/stats" }
            }
        }
        if (-not $SkipSequential) {
            $runs += Invoke-Scenario 'sequential' $sets["sequential-$round"] $ecr.url 1
        }
    }
    if ($StraceSummary) {
        $traced = Invoke-Scenario 'strace' $sets['strace'] $ecr.url $ThrottleLimit -Strace $StraceSummary
    }
    $ecr.Stop(); $ecr = $null

    if (-not $SkipReliability) {
        $httpRoot = Join-Path $work 'repos-http'
        Copy-Item $templates[$Applications] $httpRoot -Recurse
        $gitHttp = Start-Emulator git-http @('--root', $httpRoot, '--user', 'bench', '--password', 'bench-password', '--race-every', 'main')
        $httpManifests = Join-Path $work 'manifests-http'
        New-Manifests $httpManifests { param($repo) "$($gitHttp.url)$repo.git" } $base.Apps $base.Git $base.Ecr
        $ecr = Start-Ecr $base.Ecr @('--throttle-rate', '0.1')
        Initialize-Emulator $ecr $base.Ecr
        $runs += Invoke-Scenario 'reliability' $httpManifests $ecr.url $ThrottleLimit 'bench' 'bench-password'
        $gitStats = Invoke-RestMethod "$($gitHttp.url)_stats" -ErrorAction SilentlyContinue
    }

    Write-Host ''
    $runs | ForEach-Object {
        [pscustomobject]@{
            Run              = $_.Label
            Variant          = $_.Variant
            Apps             = $_.Size
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
    } | Format-Table -AutoSize -Property Run, Variant, Apps, Throttle, 'Wall (s)', 'First (s)', 'CPU (s)', 'Run CPU (s)', 'JIT (s)', Images, Updated, Failed, DescribeImages, Commits, Pushes, Retries, 'Peak WS (MB)' |
        Out-String -Width 250 | Write-Host

    # Medians per size: CPU-seconds per 1 000 applications, the CPU floor (run CPU spread over every core) and how close the
    # wall time comes to it; per-application CPU against the -Applications size shows whether the cost stays linear.
    $cores = [Environment]::ProcessorCount
    $perSize = foreach ($variantName in @($variantList | ForEach-Object { Get-VariantName $_ })) { foreach ($shape in $shapes) {
        $these = @($runs | Where-Object { $_.Label -eq 'concurrent' -and $_.Size -eq $shape.Apps -and $_.Variant -eq $variantName })
        if (-not $these.Count) { continue }
        $cpu = Get-Median ($these | ForEach-Object RunCpuSeconds)
        $wall = Get-Median ($these | ForEach-Object WallSeconds)
        [pscustomobject]@{
            Variant = $variantName; Apps = $shape.Apps; 'Git repos' = $shape.Git; 'ECR repos' = $shape.Ecr; Runs = $these.Count
            'Wall (s)' = [math]::Round($wall, 2); 'Run CPU (s)' = [math]::Round($cpu, 2)
            'JIT (s)' = [math]::Round((Get-Median ($these | ForEach-Object JitSeconds)), 2)
            'CPU-s / 1000 apps' = [math]::Round($cpu * 1000 / $shape.Apps, 2)
            'Floor (s)' = [math]::Round($cpu / $cores, 2)
            'Wall / floor' = [math]::Round($wall / ($cpu / $cores), 2)
            PerApp = $cpu / $shape.Apps
        }
    } }
    $plain = @($perSize | Where-Object Variant -EQ 'plain')
    $reference = ($plain | Where-Object Apps -EQ $Applications | Select-Object -First 1)
    if (-not $reference) { $reference = $plain | Select-Object -Last 1 }
    foreach ($s in $perSize) {
        $ref = @($perSize | Where-Object { $_.Variant -eq $s.Variant -and $_.Apps -eq $reference.Apps })[0]
        if (-not $ref) { $ref = $s }
        $s | Add-Member -NotePropertyName 'Per app vs ref' -NotePropertyValue ('{0:+0;-0;0} %' -f (100 * ($s.PerApp / $ref.PerApp - 1)))
        $s | Add-Member -NotePropertyName 'CPU vs plain' -NotePropertyValue ('{0:N2}x' -f ($s.PerApp / @($plain | Where-Object Apps -EQ $s.Apps)[0].PerApp))
    }
    # The added CPU per added application between neighbouring sizes: a run's fixed cost (start-up compilation) drops out.
    $previous = $null
    foreach ($s in $plain) {
        $s | Add-Member -NotePropertyName 'Added ms/app' -NotePropertyValue $(if ($previous) { [math]::Round(1000 * ($s.'Run CPU (s)' - $previous.'Run CPU (s)') / ($s.Apps - $previous.Apps), 2) } else { '' })
        $previous = $s
    }
    Write-Host ("Concurrent runs, medians of {0} each, ThrottleLimit {1}, {2} cores (reference size {3}):" -f $Repeat, $ThrottleLimit, $cores, $reference.Apps)
    $perSize | Format-Table -AutoSize -Property Variant, Apps, 'Git repos', 'ECR repos', Runs, 'Wall (s)', 'Run CPU (s)', 'JIT (s)', 'CPU-s / 1000 apps', 'Floor (s)', 'Wall / floor', 'Per app vs ref', 'CPU vs plain', 'Added ms/app' | Out-String -Width 250 | Write-Host
    $spread = ($plain.PerApp | Measure-Object -Maximum -Minimum)
    Write-Host ("Per-application CPU across sizes: {0:N2}-{1:N2} ms, spread {2:N0} % of the smallest (goal within 15 %)" -f (1000 * $spread.Minimum), (1000 * $spread.Maximum), (100 * ($spread.Maximum / $spread.Minimum - 1)))
    $added = @($plain | Where-Object { $_.'Added ms/app' -ne '' } | ForEach-Object { [double] $_.'Added ms/app' })
    if ($added.Count -gt 1) {
        $m = $added | Measure-Object -Maximum -Minimum
        Write-Host ("Added CPU per added application between sizes: {0:N2}-{1:N2} ms, spread {2:N0} %" -f $m.Minimum, $m.Maximum, (100 * ($m.Maximum / $m.Minimum - 1)))
    }

    $concurrent = @($runs | Where-Object { $_.Label -eq 'concurrent' -and $_.Size -eq $Applications -and $_.Variant -eq 'plain' })
    $sequential = @($runs | Where-Object Label -EQ 'sequential')
    if ($statsConcurrent) {
        $expectedCalls = $base.Ecr * [math]::Ceiling($TagsPerRepository / 1000)
        Write-Host ("DescribeImages calls (emulator count, concurrent run at {0}): {1}; goal {2} x ceil({3}/1000) = {4}" -f $Applications, $statsConcurrent.DescribeImages, $base.Ecr, $TagsPerRepository, $expectedCalls)
    }
    if ($sequential.Count -and $concurrent.Count) {
        $cWall = Get-Median ($concurrent | ForEach-Object WallSeconds); $sWall = Get-Median ($sequential | ForEach-Object WallSeconds)
        $cCpu = Get-Median ($concurrent | ForEach-Object RunCpuSeconds)
        Write-Host ("Medians at {0} applications: concurrent {1:N2} s, sequential {2:N2} s; speed-up, ThrottleLimit {3} vs 1: {4:N2}x (goal >= 6x)" -f $Applications, $cWall, $sWall, $ThrottleLimit, ($sWall / $cWall))
        # The concurrent run cannot finish before its CPU work does, spread over every core: that bounds the speed-up here.
        $floor = $cCpu / $cores
        Write-Host ("CPU floor: the concurrent run used {0:N2} CPU-s while it ran on {1} cores, so it cannot take under {2:N2} s here; best possible speed-up on this machine {3:N1}x" -f $cCpu, $cores, $floor, ($sWall / $floor))
    }
    if ($concurrent.Count) {
        Write-Host ("Pushes: {0} (goal <= {1}); peak working set {2} MB (goal < 500 MB)" -f $concurrent[0].Pushes, $base.Git, $concurrent[0].PeakWorkingSetMB)
    }
    if ($StraceSummary -and (Test-Path $StraceSummary)) {
        $total = Select-String -Path $StraceSummary -Pattern '^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?total\s*$' | Select-Object -First 1
        if ($total) {
            $calls = [long] $total.Matches[0].Groups[1].Value
            Write-Host ("strace -c -f of one concurrent run at {0} applications ({1}): {2:N0} system calls, {3:N0} per git repository (whole process, ECR and manifests included)" -f $Applications, $StraceSummary, $calls, ($calls / $base.Git))
        }
    }
    $reliability = $runs | Where-Object Label -EQ 'reliability'
    if ($reliability) {
        Write-Host ("Reliability: {0} of {1} images updated, {2} failed, {3} retries counted (ECR throttling + rejected pushes); concurrent writers landed: {4}" -f $reliability.Updated, $reliability.Images, $reliability.Failed, $reliability.Retries, $gitStats.races)
        if ($reliability.Errors) { Write-Host ("  first errors: " + ($reliability.Errors -join ' | ')) }
    }
    Write-Host ("Load average: " + ((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3) -join ' ')
}
finally {
    if ($ecr) { $ecr.Stop() }
    if ($gitHttp) { $gitHttp.Stop() }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
