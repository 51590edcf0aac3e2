#Requires -Version 7.4
<#
.SYNOPSIS
    Times TagSelector.Select against a PowerShell baseline (Where-Object -match, [version], Sort-Object) in one pwsh process.
.DESCRIPTION
    Builds bench/TagSelection (which references ImageUpdater.Core), loads both assemblies, generates the same
    N tags for both sides (releases with and without 'v', pre-releases, sha tags), and selects the newest release
    within ~3.4 among the tags matching ^v?\d+\.\d+\.\d+$. Prints the median of each and their ratio.
.EXAMPLE
    dotnet pwsh ./bench/TagSelection/Invoke-TagSelectionBench.ps1
#>
[CmdletBinding()]
param(
    [int] $Count = 100000,
    [int] $Runs = 21,
    [int] $BaselineRuns = 5,
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$project = Join-Path $PSScriptRoot 'TagSelection.csproj'
if (-not $NoBuild) {
    & dotnet build $project -c Release -nologo -v:q -clp:ErrorsOnly | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Building $project failed." }
}
$bin = Join-Path $PSScriptRoot 'bin/Release/net8.0'
Add-Type -Path (Join-Path $bin 'ImageUpdater.Core.dll')
Add-Type -Path (Join-Path $bin 'TagSelectionBench.dll')

$tags = [TagSelectionBench.BenchTags]::Generate($Count)
$options = [TagSelectionBench.BenchTags]::Options()
$pattern = [TagSelectionBench.BenchTags]::AllowTags.Substring('regexp:'.Length)

# What an administrator would write without the module: filter with -match, read versions with [version], sort.
$baseline = {
    $tags |
        Where-Object Tag -match $pattern |
        ForEach-Object { [pscustomobject]@{ Tag = $_; Version = [version]$_.Tag.TrimStart('v') } } |
        Where-Object { $_.Version.Major -eq 3 -and $_.Version.Minor -eq 4 } |
        Sort-Object -Property Version, { $_.Tag.Tag } -Descending |
        Select-Object -First 1
}

function Measure-Median([scriptblock] $Action, [int] $Warmup, [int] $Times) {
    for ($i = 0; $i -lt $Warmup; $i++) { $null = & $Action }
    $samples = for ($i = 0; $i -lt $Times; $i++) {
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $null = & $Action
        $sw.Elapsed.TotalMilliseconds
    }
    [TagSelectionBench.BenchTags]::Median([double[]] $samples)
}

$result = [ImageUpdater.Core.Tags.TagSelector]::Select($tags, $options)
$expected = (& $baseline).Tag.Tag
if ($result.Winner.Tag -ne $expected) {
    throw "The two sides disagree: TagSelector chose '$($result.Winner.Tag)', the baseline '$expected'."
}

$core = Measure-Median { [ImageUpdater.Core.Tags.TagSelector]::Select($tags, $options) } -Warmup 5 -Times $Runs
$ps = Measure-Median $baseline -Warmup 1 -Times $BaselineRuns

$line = '{0} tags, constraint {1}, allow-tags {2}; winner {3}' -f $Count, [TagSelectionBench.BenchTags]::Constraint, [TagSelectionBench.BenchTags]::AllowTags, $result.WinnerText
Write-Host $line
Write-Host ('TagSelector.Select        median {0,10:F2} ms ({1} runs)' -f $core, $Runs)
Write-Host ('PowerShell baseline       median {0,10:F2} ms ({1} runs: Where-Object -match, [version], Sort-Object)' -f $ps, $BaselineRuns)
Write-Host ('Ratio (baseline / Select) {0,10:F1}x' -f ($ps / $core))
Write-Host ('PowerShell {0} on {1}' -f $PSVersionTable.PSVersion, [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)
if (Test-Path /proc/loadavg) {
    # Wall-clock figures; on a shared machine the load says how much both sides are inflated.
    Write-Host ('Load average {0} on {1} CPUs' -f (Get-Content /proc/loadavg).Trim(), [Environment]::ProcessorCount)
}
