# One Invoke-ImageUpdater run in its own process (so its peak working set is its own); prints one JSON line.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Manifests,
    [Parameter(Mandatory)] [string] $Cache,
    [Parameter(Mandatory)] [string] $EndpointUrl,
    [Parameter(Mandatory)] [int] $ThrottleLimit,
    [System.Management.Automation.PSCredential] $GitCredential
)
Import-Module $ModulePath -ErrorAction Stop
$ErrorActionPreference = 'Continue'
$env:AWS_EC2_METADATA_DISABLED = 'true'
$aws = @{ AccessKey = 'AKIASCALEBENCH000001'; SecretKey = (ConvertTo-SecureString 'scale-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $EndpointUrl }
$extra = @{}
if ($GitCredential) { $extra.GitCredential = $GitCredential }
$self = [Diagnostics.Process]::GetCurrentProcess()
$cpuBefore = $self.TotalProcessorTime.TotalSeconds
$jitBefore = [System.Runtime.JitInfo]::GetCompilationTime().TotalSeconds
$clock = [Diagnostics.Stopwatch]::StartNew()
$first = $null
$statuses = @{}
$summary = $null
Invoke-ImageUpdater -Path $Manifests -WorkingDirectory $Cache -ThrottleLimit $ThrottleLimit @aws @extra -ErrorAction SilentlyContinue -ErrorVariable failures -SummaryVariable summary -InformationAction Ignore | ForEach-Object {
    if ($null -eq $first) { $first = $clock.Elapsed.TotalSeconds }
    $statuses[[string] $_.Status] = 1 + [int] $statuses[[string] $_.Status]
}
$clock.Stop()
$self.Refresh()
$runCpu = $self.TotalProcessorTime.TotalSeconds - $cpuBefore
[pscustomobject]@{
    WallSeconds        = [math]::Round($clock.Elapsed.TotalSeconds, 2)
    FirstResultSeconds = [math]::Round([double] $first, 2)
    Applications       = $summary.Applications
    Images             = $summary.ImagesChecked
    Updated            = $summary.Updated
    Failed             = $summary.Failed
    Statuses           = $statuses
    Retries            = $summary.Retries
    Requests           = $summary.Requests
    Commits            = $summary.Commits
    Pushes             = $summary.Pushes
    Fetches            = $summary.Fetches
    Errors             = @($failures | Select-Object -First 3 | ForEach-Object { $_.Exception.Message })
    CpuSeconds         = [math]::Round($self.TotalProcessorTime.TotalSeconds, 1)
    RunCpuSeconds      = [math]::Round($runCpu, 2)
    JitSeconds         = [math]::Round([System.Runtime.JitInfo]::GetCompilationTime().TotalSeconds - $jitBefore, 2)
    PeakWorkingSetMB   = [math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB)
} | ConvertTo-Json -Compress -Depth 4
