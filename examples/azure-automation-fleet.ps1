<#
.SYNOPSIS
    Azure Automation parent runbook: splits the Argo CD Applications between N child jobs of the Image Updater runbook.
.DESCRIPTION
    Starts ShardCount jobs of the runbook azure-automation-runbook.ps1 (imported under -RunbookName), each with
    -ShardIndex i -ShardCount n, so each Application is handled by exactly one child (a stable hash of
    namespace/name modulo n). It waits for them all and throws when any child did not complete, so this job ends Failed.
    Concurrency: every child counts against the Automation account's concurrent-job quota, and so does this parent
    job; keep ShardCount below the quota of the account's offer (learn.microsoft.com/azure/automation/
    automation-subscription-limits-faq). The children run in their own sandboxes, in parallel.
    Needs: the Az.Accounts and Az.Automation modules (in the 7.4 runtime environment by default), and the Automation
    account's managed identity with the role "Automation Job Operator" on the account (to start and read jobs).
.PARAMETER ResourceGroupName
    The resource group of the Automation account.
.PARAMETER AutomationAccountName
    The Automation account the child runbook is in.
.PARAMETER RunbookName
    The name the Image Updater runbook was imported under (default ImageUpdater).
.PARAMETER ShardCount
    How many child jobs (default 3).
.PARAMETER Project
    Passed on to every child: only Applications of these Argo CD projects.
.PARAMETER TimeoutMinutes
    How long to wait for the children (default 60); children still running then count as failed.
.PARAMETER PollSeconds
    How often to look at the children's status (default 15).
.PARAMETER WhatIf
    Passed on to every child: a dry run.
#>
param(
    [Parameter(Mandatory)] [string] $ResourceGroupName,
    [Parameter(Mandatory)] [string] $AutomationAccountName,
    [string] $RunbookName = 'ImageUpdater',
    [ValidateRange(1, 50)]
    [int] $ShardCount = 3,
    [string[]] $Project,
    [ValidateRange(1, 180)]
    [int] $TimeoutMinutes = 60,
    [ValidateRange(1, 300)]
    [int] $PollSeconds = 15,
    [switch] $WhatIf
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# This job's Az context stays in this job (several jobs may share one sandbox process).
$null = Disable-AzContextAutosave -Scope Process
$null = Connect-AzAccount -Identity
$account = @{ ResourceGroupName = $ResourceGroupName; AutomationAccountName = $AutomationAccountName }

$jobs = [System.Collections.Generic.List[object]]::new()
foreach ($index in 0..($ShardCount - 1)) {
    $parameters = @{ ShardIndex = $index; ShardCount = $ShardCount }
    if ($Project) { $parameters.Project = $Project }
    if ($WhatIf) { $parameters.WhatIf = $true }
    $job = Start-AzAutomationRunbook @account -Name $RunbookName -Parameters $parameters
    $jobs.Add([pscustomobject]@{ Shard = "$index/$ShardCount"; JobId = $job.JobId; Status = 'New' })
    Write-Output "Started shard $index/$ShardCount as job $($job.JobId)."
}

$done = 'Completed', 'Failed', 'Stopped', 'Suspended'
$deadline = (Get-Date).AddMinutes($TimeoutMinutes)
while (@($jobs | Where-Object Status -NotIn $done).Count -gt 0 -and (Get-Date) -lt $deadline) {
    foreach ($job in $jobs | Where-Object Status -NotIn $done) {
        $job.Status = [string] (Get-AzAutomationJob @account -Id $job.JobId).Status
    }
    if (@($jobs | Where-Object Status -NotIn $done).Count -gt 0) { Start-Sleep -Seconds $PollSeconds }
}

$jobs | Format-Table Shard, JobId, Status -AutoSize | Out-String -Width 200 | Write-Output
$bad = @($jobs | Where-Object Status -NE 'Completed')
if ($bad.Count -gt 0) {
    throw "$($bad.Count) of $ShardCount Image Updater shard job(s) did not complete: $(($bad | ForEach-Object { "$($_.Shard) $($_.Status)" }) -join ', '). See their job output."
}
