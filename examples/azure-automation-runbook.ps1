<#
.SYNOPSIS
    Azure Automation runbook (PowerShell 7.4): one Image Updater run against an Argo CD server, on a schedule.
.DESCRIPTION
    What to upload
      * The module: run `./build.ps1 -Task Package` and import out/ImageUpdater.PS.zip into the Automation account
        (Shared resources > Modules > Add a module > Browse for file, runtime version 7.4). The zip is named like the
        module and holds the module folder's content at its root, as Azure Automation requires. (Or, in a Runtime
        Environment, add ImageUpdater.PS from the PowerShell Gallery: build.ps1 -Task Package also writes the .nupkg.)
      * This file as a PowerShell runbook (runtime 7.4), linked to a schedule (e.g. every 15 minutes).
    AWS without a stored secret (the default, -AwsAuthentication ManagedIdentity)
      The Automation account's managed identity gets an Entra ID token, which AWS STS exchanges for a session of an IAM
      role (AssumeRoleWithWebIdentity); no AWS key is kept anywhere. Once:
        1. Automation account > Identity > System assigned > On (or add a user-assigned identity and set the
           ImageUpdater-AzureClientId variable to its client ID).
        2. In AWS IAM add an OpenID Connect provider: URL https://sts.windows.net/<tenant-id>/, audience
           api://AzureADTokenExchange.
        3. Create a role trusted by that provider with the condition sts.windows.net/<tenant-id>/:sub = the identity's
           object (principal) ID, and the permissions ecr:DescribeImages and ecr:DescribeRepositories.
      Fallback, -AwsAuthentication AccessKey: an IAM user's access key in the credential asset ImageUpdater-Aws.
    Assets it reads (Shared resources)
      * Variable   ImageUpdater-ArgoCDServer  the Argo CD API server, e.g. argocd.example.com
      * Credential ImageUpdater-ArgoCDToken   any user name; the password is an Argo CD API token (account with
                                              applications get/update rights)
      * Variable   ImageUpdater-AwsRoleArn    the IAM role for the managed identity, e.g.
                                              arn:aws:iam::123456789012:role/image-updater (ManagedIdentity)
      * Variable   ImageUpdater-AzureClientId optional: the client ID of a user-assigned identity (ManagedIdentity)
      * Credential ImageUpdater-Aws           user name = AWS access key id, password = secret access key (AccessKey only)
      * Variable   ImageUpdater-AwsRegion     e.g. eu-west-1: the region of bare repository names; a full ECR image
                                              (<account>.dkr.ecr.<region>.amazonaws.com/…) always uses its own region
    Git write-back
      Applications with write-back-method git need libgit2, a native library shipped in the module (runtimes/…).
      Whether it loads in the Azure Automation cloud sandbox is unknown (not verified). If git write-back fails there
      with a "libgit2" / DllNotFoundException error, run this runbook on a Hybrid Runbook Worker (a VM you own, where
      the module's native libraries load), or use the argocd write-back method, which needs only HTTPS.
    Several jobs in one sandbox process
      Azure Automation may run several jobs in one process, so this runbook keeps its Argo CD connection in a
      variable (Connect-ArgoCD -NoDefault, then -Connection) instead of the process-wide session.
    Outcome
      Results are written to the job output. Any failure (a registry, Git or Argo CD error for any image) makes the
      runbook throw at the end, so the job ends Failed and alerts on failed jobs fire.
.PARAMETER Project
    Only Applications of these Argo CD projects (default: all the token can see).
.PARAMETER EcrEndpointUrl
    An ECR API endpoint other than https://api.ecr.<region>.amazonaws.com (a VPC interface endpoint).
.PARAMETER AwsAuthentication
    ManagedIdentity (default): the Automation account's managed identity and the ImageUpdater-AwsRoleArn role.
    AccessKey: the access key in the ImageUpdater-Aws credential asset.
.PARAMETER ShardIndex
    This job's shard (0-based) when a parent runbook (azure-automation-fleet.ps1) splits the Applications between
    ShardCount child jobs; each Application belongs to exactly one shard.
.PARAMETER ShardCount
    How many child jobs share the Applications (default 1: this job does them all).
.PARAMETER WhatIf
    Dry run: show what would change, write nothing.
#>
param(
    [string[]] $Project,
    [string] $EcrEndpointUrl,
    [ValidateSet('ManagedIdentity', 'AccessKey')]
    [string] $AwsAuthentication = 'ManagedIdentity',
    [ValidateRange(0, 999)]
    [int] $ShardIndex = 0,
    [ValidateRange(1, 1000)]
    [int] $ShardCount = 1,
    [switch] $WhatIf
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'   # progress records only bloat the job streams

if (-not (Get-Module ImageUpdater.PS)) { Import-Module ImageUpdater.PS }
if ($ShardIndex -ge $ShardCount) { throw "ShardIndex $ShardIndex must be less than ShardCount $ShardCount." }

# An optional variable asset: $null when the account does not define it.
function Get-OptionalAutomationVariable([string] $Name) {
    try { Get-AutomationVariable -Name $Name } catch { $null }
}

$server = Get-AutomationVariable -Name 'ImageUpdater-ArgoCDServer'
$argoToken = Get-AutomationPSCredential -Name 'ImageUpdater-ArgoCDToken'
$region = Get-AutomationVariable -Name 'ImageUpdater-AwsRegion'

$run = @{
    Region      = $region
    WhatIf      = $WhatIf
    ErrorAction = 'Continue'   # collect every failure, decide at the end
}
if ($AwsAuthentication -eq 'ManagedIdentity') {
    $run.AzureManagedIdentity = $true
    $run.RoleArn = Get-AutomationVariable -Name 'ImageUpdater-AwsRoleArn'
    $clientId = Get-OptionalAutomationVariable 'ImageUpdater-AzureClientId'
    if ($clientId) { $run.AzureClientId = $clientId }
}
else {
    $aws = Get-AutomationPSCredential -Name 'ImageUpdater-Aws'
    $run.AccessKey = $aws.UserName
    $run.SecretKey = $aws.Password
}
if ($Project) { $run.Project = $Project }
if ($EcrEndpointUrl) { $run.EndpointUrl = $EcrEndpointUrl }
if ($ShardCount -gt 1) { $run.Shard = "$ShardIndex/$ShardCount" }

# This job's own connection: other jobs in the same sandbox process keep theirs.
$run.Connection = Connect-ArgoCD -Server $server -Token $argoToken.Password -NoDefault

$failures = @()
$output = @(Invoke-ImageUpdater @run -ErrorVariable +failures -SummaryVariable summary)
$results = $output | Where-Object { $_.PSObject.TypeNames -contains 'ImageUpdater.ImageUpdateResult' }

$results | Format-Table Application, Image, OldTag, NewTag, Status, Message -AutoSize | Out-String -Width 200 | Write-Output
if ($summary) {
    Write-Output ("{0}Applications {1}, images {2}: {3} updated, {4} unchanged, {5} skipped, {6} failed in {7:N1} s" -f
        $(if ($ShardCount -gt 1) { "Shard $ShardIndex/${ShardCount}: " } else { '' }),
        $summary.Applications, $summary.ImagesChecked, $summary.Updated, $summary.Unchanged, $summary.Skipped, $summary.Failed, $summary.DurationSeconds)
}

if ($failures.Count -gt 0 -or ($summary -and $summary.Failed -gt 0)) {
    $first = if ($failures.Count -gt 0) { $failures[0].Exception.Message } else { ($results | Where-Object Status -EQ 'Failed' | Select-Object -First 1).Message }
    throw "Image Updater run failed for $([Math]::Max($failures.Count, [int]$summary.Failed)) image(s); first: $first"
}
