#Requires -Version 7.4
<#
.SYNOPSIS
    One Image Updater run for a Linux schedule (systemd timer or cron): `pwsh -NoProfile -File run-imageupdater.ps1`.
.DESCRIPTION
    Configuration comes from the environment (systemd: EnvironmentFile=/etc/imageupdater/imageupdater.env), so the
    unit files never hold secrets:
      IMAGEUPDATER_MODULE          module folder or psd1 (default: ImageUpdater.PS from PSModulePath)
      IMAGEUPDATER_APPLICATIONS    folder of Application manifests to read instead of an Argo CD server
      ARGOCD_SERVER, ARGOCD_AUTH_TOKEN   the Argo CD API server and token (when IMAGEUPDATER_APPLICATIONS is not set)
      IMAGEUPDATER_PROJECT         only Applications of this project (comma-separated for several)
      IMAGEUPDATER_WORKDIR         Git clone cache (default: $STATE_DIRECTORY under systemd, else the user's cache folder)
      AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_PROFILE …  the AWS default credential chain (or an
                                   instance role: nothing to set)
      AWS_ENDPOINT_URL_ECR         an ECR API endpoint other than the public one (VPC endpoint)
    Exit code: 0 when every image was checked (updated or not), 1 when any failed, 2 when the run could not start.
    One summary line goes to stdout (the journal); each failure to stderr.
#>
param(
    [string] $Path = $env:IMAGEUPDATER_APPLICATIONS,
    [string] $WorkingDirectory = $(if ($env:IMAGEUPDATER_WORKDIR) { $env:IMAGEUPDATER_WORKDIR } elseif ($env:STATE_DIRECTORY) { $env:STATE_DIRECTORY }),
    [switch] $WhatIf
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
try {
    Import-Module $(if ($env:IMAGEUPDATER_MODULE) { $env:IMAGEUPDATER_MODULE } else { 'ImageUpdater.PS' })
    $run = @{ WhatIf = $WhatIf; ErrorAction = 'Continue' }
    if ($Path) { $run.Path = $Path; $run.Recurse = $true }
    if ($WorkingDirectory) { $run.WorkingDirectory = $WorkingDirectory }
    if ($env:IMAGEUPDATER_PROJECT -and -not $Path) { $run.Project = $env:IMAGEUPDATER_PROJECT -split ',' }
    if ($env:AWS_ENDPOINT_URL_ECR) { $run.EndpointUrl = $env:AWS_ENDPOINT_URL_ECR }

    $failures = @()
    $output = @(Invoke-ImageUpdater @run -ErrorVariable +failures -SummaryVariable summary 2>$null)
}
catch {
    [Console]::Error.WriteLine("imageupdater: cannot run: $($_.Exception.Message)")
    exit 2
}

foreach ($result in $output | Where-Object { $_.PSObject.TypeNames -contains 'ImageUpdater.ImageUpdateResult' -and $_.Status -ne 'Unchanged' }) {
    Write-Output ("{0} {1}: {2} -> {3} {4}{5}" -f $result.Application, $result.Image, $result.OldTag, $result.NewTag, $result.Status, $(if ($result.Commit) { " ($($result.Commit.Substring(0, 10)))" }))
}
foreach ($failure in $failures) { [Console]::Error.WriteLine("imageupdater: $($failure.Exception.Message)") }

if ($summary) {
    Write-Output ("imageupdater: {0} applications, {1} images: {2} updated, {3} unchanged, {4} skipped, {5} failed ({6:N1} s)" -f
        $summary.Applications, $summary.ImagesChecked, $summary.Updated, $summary.Unchanged, $summary.Skipped, $summary.Failed, $summary.DurationSeconds)
}
exit $(if ($failures.Count -gt 0 -or ($summary -and $summary.Failed -gt 0)) { 1 } else { 0 })
