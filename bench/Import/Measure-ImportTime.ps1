<#
.SYNOPSIS
    What importing the module adds to a pwsh start: `pwsh -NoProfile -c 'Import-Module <module>'` against `pwsh -NoProfile -c 0`.
.DESCRIPTION
    Runs both commands -Runs times, interleaved (so a load change hits both alike), each in a fresh process that prints its own
    CPU time last; prints the medians of wall time and CPU time and the difference (goal: under 0.3 s added).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateRange(1, 50)] [int] $Runs = 7,
    [hashtable] $ChildEnvironment = @{}
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$pwsh = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
if ((Split-Path $pwsh -Leaf) -notmatch '^pwsh(\.exe)?$') { $pwsh = (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
$cpu = '[Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalSeconds'
$commands = [ordered]@{
    'pwsh -c 0'      = "0; $cpu"
    'Import-Module'  = "Import-Module '$($ModulePath -replace "'", "''")'; $cpu"
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object); $mid = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
}

foreach ($name in $ChildEnvironment.Keys) { Set-Item "Env:$name" ([string] $ChildEnvironment[$name]) }
try {
    # One unmeasured start of each, so the first measured run does not pay for cold file caches.
    foreach ($c in $commands.Values) { $null = & $pwsh -NoProfile -NonInteractive -c $c }
    $results = @{}
    foreach ($k in $commands.Keys) { $results[$k] = [Collections.Generic.List[object]]::new() }
    for ($i = 0; $i -lt $Runs; $i++) {
        foreach ($k in $commands.Keys) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $out = & $pwsh -NoProfile -NonInteractive -c $commands[$k]
            $clock.Stop()
            if ($LASTEXITCODE) { throw "$k failed: $out" }
            $results[$k].Add([pscustomobject]@{ Wall = $clock.Elapsed.TotalSeconds; Cpu = [double] ($out | Select-Object -Last 1) })
        }
    }
}
finally {
    foreach ($name in $ChildEnvironment.Keys) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue }
}

$rows = foreach ($k in $commands.Keys) {
    [pscustomobject]@{
        Command          = $k
        'Wall runs (s)'  = ($results[$k].Wall | ForEach-Object { $_.ToString('0.00', [cultureinfo]::InvariantCulture) }) -join ' '
        'Wall median (s)' = [math]::Round((Get-Median $results[$k].Wall), 3)
        'CPU median (s)'  = [math]::Round((Get-Median $results[$k].Cpu), 3)
    }
}
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$addedWall = $rows[1].'Wall median (s)' - $rows[0].'Wall median (s)'
$addedCpu = $rows[1].'CPU median (s)' - $rows[0].'CPU median (s)'
Write-Host ("Import adds {0:N3} s wall and {1:N3} CPU-s to a pwsh start (medians of {2} runs; goal under 0.3 s). Load average: {3}" -f $addedWall, $addedCpu, $Runs, (((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3) -join ' '))
