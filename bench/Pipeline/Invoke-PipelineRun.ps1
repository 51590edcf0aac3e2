# One run of the fleet in its own process: the composed pipeline or Invoke-ImageUpdater; prints one JSON line.
# -Phases also records when each stage's first and last object passed (extra pipeline stages and -Verbose: a diagnosis, not a timing).
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [ValidateSet('Pipeline', 'Invoke')] [string] $Mode,
    [Parameter(Mandatory)] [string] $Manifests,
    [Parameter(Mandatory)] [string] $Cache,
    [Parameter(Mandatory)] [string] $EndpointUrl,
    [Parameter(Mandatory)] [int] $ThrottleLimit,
    [switch] $Phases
)
Import-Module $ModulePath -ErrorAction Stop
$ErrorActionPreference = 'Continue'
$env:AWS_EC2_METADATA_DISABLED = 'true'
$aws = @{ AccessKey = 'AKIAPIPEBENCH0000001'; SecretKey = (ConvertTo-SecureString 'pipe-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $EndpointUrl }
$statuses = @{}
$marks = [ordered]@{}
$process = [Diagnostics.Process]::GetCurrentProcess()
$cpuStart = $process.TotalProcessorTime
$clock = [Diagnostics.Stopwatch]::StartNew()
$lookedUp = $null
# First and last time a stage saw an object (seconds since the start).
function Step([string] $Name) {
    $now = [math]::Round($clock.Elapsed.TotalSeconds, 3)
    if (-not $marks.Contains("$Name first")) { $marks["$Name first"] = $now }
    $marks["$Name last"] = $now
}
function Verbose-Step($Record) {
    switch -Regex ($Record.Message) {
        '^\d+ application\(s\)\.$' { Step 'applications read'; break }
        '^app-\d+: ' { Step 'planned'; break }
        '^Prepared ' { Step 'preparations done'; break }
        '^Performing the operation' { Step 'unit confirmed'; break }
        '^Committed ' { Step 'commit'; break }
        '^Git write-back: ' { Step 'write-back done'; break }
    }
}
if ($Mode -eq 'Pipeline' -and -not $Phases) {
    # The last candidate passing by marks the end of the look-up; Update-HelmImageTag writes when its input ends.
    $results = Get-ArgoApplication -Path $Manifests | Find-EcrTag -ThrottleLimit $ThrottleLimit @aws | ForEach-Object { $lookedUp = $clock.Elapsed.TotalSeconds; $_ } |
        Update-HelmImageTag -WorkingDirectory $Cache -ErrorAction SilentlyContinue -ErrorVariable failures
}
elseif ($Mode -eq 'Pipeline') {
    $results = Get-ArgoApplication -Path $Manifests | ForEach-Object { Step 'application'; $_ } |
        Find-EcrTag -ThrottleLimit $ThrottleLimit @aws | ForEach-Object { Step 'candidate'; $lookedUp = $clock.Elapsed.TotalSeconds; $_ } |
        Update-HelmImageTag -WorkingDirectory $Cache -ErrorAction SilentlyContinue -ErrorVariable failures -Verbose 4>&1 |
        ForEach-Object { if ($_ -is [Management.Automation.VerboseRecord]) { Verbose-Step $_ } else { Step 'result'; $_ } }
}
elseif (-not $Phases) {
    $results = Invoke-ImageUpdater -Path $Manifests -WorkingDirectory $Cache -ThrottleLimit $ThrottleLimit @aws -ErrorAction SilentlyContinue -ErrorVariable failures -InformationAction Ignore
}
else {
    $results = Invoke-ImageUpdater -Path $Manifests -WorkingDirectory $Cache -ThrottleLimit $ThrottleLimit @aws -ErrorAction SilentlyContinue -ErrorVariable failures -InformationAction Ignore -Verbose 4>&1 |
        ForEach-Object { if ($_ -is [Management.Automation.VerboseRecord]) { Verbose-Step $_ } else { Step 'result'; $_ } }
}
$clock.Stop()
$process.Refresh()
foreach ($r in $results) { $statuses[[string] $r.Status] = 1 + [int] $statuses[[string] $r.Status] }
[pscustomobject]@{
    WallSeconds   = [math]::Round($clock.Elapsed.TotalSeconds, 2)
    CpuSeconds    = [math]::Round(($process.TotalProcessorTime - $cpuStart).TotalSeconds, 2)
    LookUpSeconds = if ($null -ne $lookedUp) { [math]::Round($lookedUp, 2) } else { $null }
    Results       = @($results).Count
    Statuses      = $statuses
    Commits       = @($results | Where-Object Commit | Select-Object -ExpandProperty Commit -Unique).Count
    Errors        = @($failures | Select-Object -First 3 | ForEach-Object { $_.Exception.Message })
    Phases        = $marks
} | ConvertTo-Json -Compress -Depth 4
