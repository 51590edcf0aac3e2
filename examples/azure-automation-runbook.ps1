<#
.SYNOPSIS
    Azure Automation runbook (PowerShell 7.4): one Image Updater run against an Argo CD server, on a schedule.
.DESCRIPTION
    What to upload
      * The module: run `./build.ps1 -Task Package` and import out/ImageUpdater.PS.zip into the Automation account
        (Shared resources > Modules > Add a module > Browse for file, runtime version 7.4). The zip is named like the
        module and holds the module folder's content at its root, as Azure Automation requires.
      * This file as a PowerShell runbook (runtime 7.4), linked to a schedule (e.g. every 15 minutes).
    Assets it reads (Shared resources)
      * Variable   ImageUpdater-ArgoCDServer  the Argo CD API server, e.g. argocd.example.com
      * Credential ImageUpdater-ArgoCDToken   any user name; the password is an Argo CD API token (account with
                                              applications get/update rights)
      * Credential ImageUpdater-Aws           user name = AWS access key id, password = secret access key (ecr:DescribeImages)
      * Variable   ImageUpdater-AwsRegion     e.g. eu-west-1: the region of bare repository names; a full ECR image
                                              (<account>.dkr.ecr.<region>.amazonaws.com/…) always uses its own region
    Git write-back
      Applications with write-back-method git need libgit2, a native library shipped in the module (runtimes/…).
      Whether it loads in the Azure Automation cloud sandbox is unknown (not verified). If git write-back fails there
      with a "libgit2" / DllNotFoundException error, run this runbook on a Hybrid Runbook Worker (a VM you own, where
      the module's native libraries load), or use the argocd write-back method, which needs only HTTPS.
    Outcome
      Results are written to the job output. Any failure (a registry, Git or Argo CD error for any image) makes the
      runbook throw at the end, so the job ends Failed and alerts on failed jobs fire.
.PARAMETER Project
    Only Applications of these Argo CD projects (default: all the token can see).
.PARAMETER EcrEndpointUrl
    An ECR API endpoint other than https://api.ecr.<region>.amazonaws.com (a VPC interface endpoint).
.PARAMETER WhatIf
    Dry run: show what would change, write nothing.
#>
param(
    [string[]] $Project,
    [string] $EcrEndpointUrl,
    [switch] $WhatIf
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'   # progress records only bloat the job streams

if (-not (Get-Module ImageUpdater.PS)) { Import-Module ImageUpdater.PS }

$server = Get-AutomationVariable -Name 'ImageUpdater-ArgoCDServer'
$argoToken = Get-AutomationPSCredential -Name 'ImageUpdater-ArgoCDToken'
$aws = Get-AutomationPSCredential -Name 'ImageUpdater-Aws'
$region = Get-AutomationVariable -Name 'ImageUpdater-AwsRegion'

Connect-ArgoCD -Server $server -Token $argoToken.Password
try {
    $run = @{
        AccessKey   = $aws.UserName
        SecretKey   = $aws.Password
        Region      = $region
        WhatIf      = $WhatIf
        ErrorAction = 'Continue'   # collect every failure, decide at the end
    }
    if ($Project) { $run.Project = $Project }
    if ($EcrEndpointUrl) { $run.EndpointUrl = $EcrEndpointUrl }

    $failures = @()
    $output = @(Invoke-ImageUpdater @run -ErrorVariable +failures -SummaryVariable summary)
    $results = $output | Where-Object { $_.PSObject.TypeNames -contains 'ImageUpdater.ImageUpdateResult' }

    $results | Format-Table Application, Image, OldTag, NewTag, Status, Message -AutoSize | Out-String -Width 200 | Write-Output
    if ($summary) {
        Write-Output ("Applications {0}, images {1}: {2} updated, {3} unchanged, {4} skipped, {5} failed in {6:N1} s" -f
            $summary.Applications, $summary.ImagesChecked, $summary.Updated, $summary.Unchanged, $summary.Skipped, $summary.Failed, $summary.DurationSeconds)
    }

    if ($failures.Count -gt 0 -or ($summary -and $summary.Failed -gt 0)) {
        $first = if ($failures.Count -gt 0) { $failures[0].Exception.Message } else { ($results | Where-Object Status -EQ 'Failed' | Select-Object -First 1).Message }
        throw "Image Updater run failed for $([Math]::Max($failures.Count, [int]$summary.Failed)) image(s); first: $first"
    }
}
finally {
    Disconnect-ArgoCD
}
