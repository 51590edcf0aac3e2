<#
.SYNOPSIS
    Azure Automation runbook (Windows PowerShell 5.1) started by a container registry's webhook: update only the Applications that
    use the pushed image.
.DESCRIPTION
    Set-up
      * Upload the module as for azure-automation-runbook.ps1 (./build.ps1 -Task Package -> out/ImageUpdater.PS.zip) and this
        file as a PowerShell runbook (runtime 5.1). Add a webhook to it (Runbook > Webhooks > Add webhook) and give
        its URL to the registry: Docker Hub, GitHub (package events), Harbor, Quay, Azure Container Registry, an EventBridge
        API destination (rule: source aws.ecr, detail-type "ECR Image Action") or any CloudEvents source.
      * The webhook URL holds Azure's token; treat it as a password. Also give the registry a secret and store it in the
        encrypted variable ImageUpdater-WebhookSecret: GitHub's webhook secret (signature), Harbor's Auth Header, an ACR
        custom header "Authorization: <secret>", or an API destination connection with API key X-Webhook-Secret.
    On PowerShell 5.1 Azure passes $WebhookData as an object (WebhookName, RequestBody as sent, RequestHeader), so a GitHub
    signature over the exact body verifies; Microsoft recommends 5.1 runbooks for webhooks. The module's net472 build
    loads in Windows PowerShell 5.1. This form avoids syntax newer than 5.1.
    Assets it reads (Shared resources): ImageUpdater-WebhookSecret, and as azure-automation-runbook.ps1:
    ImageUpdater-ArgoCDServer, ImageUpdater-ArgoCDToken, ImageUpdater-Aws, ImageUpdater-AwsRegion.
    Outcome
      A request without the right secret, or that is no image push, makes the job fail before anything runs. The pushed
      images and one line per result go to the job output; any failure makes the job end Failed.
.PARAMETER WebhookData
    Set by Azure Automation when the webhook starts the runbook.
.PARAMETER EcrEndpointUrl
    An ECR API endpoint other than https://api.ecr.<region>.amazonaws.com (a VPC interface endpoint).
#>
param(
    [object] $WebhookData,
    [string] $EcrEndpointUrl
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if (-not $WebhookData) { throw 'Start this runbook from its webhook: $WebhookData is empty.' }
if (-not (Get-Module ImageUpdater.PS)) { Import-Module ImageUpdater.PS }

# A forged or foreign request stops here: nothing below runs.
$events = @(ConvertFrom-RegistryWebhook -WebhookData $WebhookData -Secret (Get-AutomationVariable -Name 'ImageUpdater-WebhookSecret'))
Write-Output ("Pushed: " + (($events | ForEach-Object Image) -join ', '))

$aws = Get-AutomationPSCredential -Name 'ImageUpdater-Aws'
Connect-ArgoCD -Server (Get-AutomationVariable -Name 'ImageUpdater-ArgoCDServer') -Token (Get-AutomationPSCredential -Name 'ImageUpdater-ArgoCDToken').Password
try {
    $run = @{
        AccessKey   = $aws.UserName
        SecretKey   = $aws.Password
        Region      = Get-AutomationVariable -Name 'ImageUpdater-AwsRegion'
        ErrorAction = 'Continue'   # collect every failure, decide at the end
    }
    if ($EcrEndpointUrl) { $run.EndpointUrl = $EcrEndpointUrl }

    $failures = @()
    $results = @($events | Invoke-ImageUpdater @run -ErrorVariable +failures -SummaryVariable summary -WarningAction Continue)
    foreach ($result in $results) { Write-Output "$($result.Application): $($result.Image) $($result.OldTag) -> $($result.NewTag) $($result.Status)" }
    Write-Output ("Applications {0}, images {1}: {2} updated, {3} unchanged, {4} failed" -f $summary.Applications, $summary.ImagesChecked, $summary.Updated, $summary.Unchanged, $summary.Failed)
    if ($failures.Count -gt 0 -or $summary.Failed -gt 0) {
        throw "Image Updater run failed for $([Math]::Max($failures.Count, [int]$summary.Failed)) image(s); first: $(@($failures.Exception.Message)[0])"
    }
}
finally {
    Disconnect-ArgoCD
}
