# One run of the fleet in its own process: the composed pipeline or Invoke-ImageUpdater; prints one JSON line.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [ValidateSet('Pipeline', 'Invoke')] [string] $Mode,
    [Parameter(Mandatory)] [string] $Manifests,
    [Parameter(Mandatory)] [string] $Cache,
    [Parameter(Mandatory)] [string] $EndpointUrl,
    [Parameter(Mandatory)] [int] $ThrottleLimit
)
Import-Module $ModulePath -ErrorAction Stop
$ErrorActionPreference = 'Continue'
$env:AWS_EC2_METADATA_DISABLED = 'true'
$aws = @{ AccessKey = 'AKIAPIPEBENCH0000001'; SecretKey = (ConvertTo-SecureString 'pipe-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $EndpointUrl }
$statuses = @{}
$clock = [Diagnostics.Stopwatch]::StartNew()
$lookedUp = $null
if ($Mode -eq 'Pipeline') {
    # The last candidate passing by marks the end of the look-up; Update-HelmImageTag writes when its input ends.
    $results = Get-ArgoApplication -Path $Manifests | Find-EcrTag -ThrottleLimit $ThrottleLimit @aws | ForEach-Object { $lookedUp = $clock.Elapsed.TotalSeconds; $_ } |
        Update-HelmImageTag -WorkingDirectory $Cache -ErrorAction SilentlyContinue -ErrorVariable failures
}
else {
    $results = Invoke-ImageUpdater -Path $Manifests -WorkingDirectory $Cache -ThrottleLimit $ThrottleLimit @aws -ErrorAction SilentlyContinue -ErrorVariable failures -InformationAction Ignore
}
$clock.Stop()
foreach ($r in $results) { $statuses[[string] $r.Status] = 1 + [int] $statuses[[string] $r.Status] }
[pscustomobject]@{
    WallSeconds = [math]::Round($clock.Elapsed.TotalSeconds, 2)
    LookUpSeconds = if ($null -ne $lookedUp) { [math]::Round($lookedUp, 2) } else { $null }
    Results     = @($results).Count
    Statuses    = $statuses
    Commits     = @($results | Where-Object Commit | Select-Object -ExpandProperty Commit -Unique).Count
    Errors      = @($failures | Select-Object -First 3 | ForEach-Object { $_.Exception.Message })
} | ConvertTo-Json -Compress -Depth 4
