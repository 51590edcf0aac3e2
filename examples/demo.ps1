#Requires -Version 7.4
<#
.SYNOPSIS
    ImageUpdater.PS in one minute: an ECR repository (emulated on loopback), a GitOps repository with an annotated
    Argo CD Application, and the pipeline Get-ArgoApplication | Find-EcrTag | Update-HelmImageTag, run twice.
.DESCRIPTION
    Nothing leaves this machine: the ECR API is the emulator from tests/Emulators (built by ./build.ps1), the Git
    "remote" is a bare repository in a temporary folder. Everything it creates is removed at the end, also on failure.
    Run it with `./build.ps1 -Task Demo`, or directly after a build:
        pwsh -File examples/demo.ps1 -ModulePath out/ImageUpdater.PS
.PARAMETER ModulePath
    The built module folder (out/ImageUpdater.PS).
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ImageUpdater.PS')
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version Latest
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)

$Account = '123456789012'
$Region = 'eu-west-1'
$Repository = 'team/web'
$ImageName = "$Account.dkr.ecr.$Region.amazonaws.com/$Repository"
$Constraint = '^1.4'
# Fake keys: the emulator accepts exactly these and verifies each request's SigV4 signature with them.
$AccessKey = 'AKIADEMO000000000001'
$SecretKeyText = 'demo-secret-key-not-a-real-one'

function Write-Heading([string] $Text) {
    Write-Host ''
    Write-Host "== $Text" -ForegroundColor Cyan
}

function Invoke-Git {
    $out = & git @args 2>&1
    if ($LASTEXITCODE -ne 0) { throw "git $($args[0..2] -join ' ') failed: $(($out | Select-Object -Last 1))" }
    $out
}

function Show-Results($Results) {
    $Results | Format-Table Application, OldTag, NewTag, Status, Branch,
        @{ Name = 'Commit'; Expression = { if ($_.Commit) { $_.Commit.Substring(0, 10) } } }, Message -AutoSize -Wrap |
        Out-String -Width 160 | ForEach-Object TrimEnd | Write-Host
}

$temp = Join-Path ([IO.Path]::GetTempPath()) ("imageupdater-demo-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
$emulator = $null
$savedEnvironment = @{}
$exitCode = 0
try {
    $started = [DateTime]::UtcNow
    if (-not (Test-Path (Join-Path $ModulePath 'ImageUpdater.PS.psd1'))) { throw "No built module at '$ModulePath': run ./build.ps1 first." }
    if (-not (Get-Command git -ErrorAction SilentlyContinue)) { throw 'The demo needs the git command line (git is not on PATH).' }
    Import-Module (Join-Path (Resolve-Path $ModulePath).Path 'ImageUpdater.PS.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot '../tests/ImageUpdater.PS.Tests/TestHelpers.psm1') -Force   # Start-Emulator
    $null = New-Item -ItemType Directory $temp

    # This process's own AWS settings (profiles, instance metadata) stay out of the demo.
    foreach ($name in 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED') {
        $savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:AWS_PROFILE = $null; $env:AWS_ACCESS_KEY_ID = $null; $env:AWS_SECRET_ACCESS_KEY = $null; $env:AWS_SESSION_TOKEN = $null
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $temp 'no-credentials'
    $env:AWS_CONFIG_FILE = Join-Path $temp 'no-config'
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    Write-Heading "1. An Amazon ECR repository (emulated on loopback): $ImageName"
    $seed = Join-Path $temp 'ecr-seed.json'
    $tags = [ordered]@{ '1.3.9' = 1700000000; '1.4.0' = 1700000100; '1.4.2' = 1700000200; '1.5.0-rc.1' = 1700000300; '1.5.0' = 1700000400; '2.0.0' = 1700000500 }
    @{ repositories = @(@{ name = $Repository; images = @($tags.Keys | ForEach-Object { @{ tags = @($_); pushedAt = $tags[$_] } }) }) } |
        ConvertTo-Json -Depth 6 | Set-Content $seed
    $emulator = Start-Emulator ecr @('--account', $Account, '--region', $Region, '--key', "${AccessKey}:$SecretKeyText", '--seed', $seed)
    $aws = @{
        AccessKey   = $AccessKey
        SecretKey   = ConvertTo-SecureString $SecretKeyText -AsPlainText -Force
        Region      = $Region
        EndpointUrl = $emulator.url
    }
    Write-Host "Tags pushed: $($tags.Keys -join ', ')    (ECR API at $($emulator.url))"
    Write-Host "Find-EcrTag -Repository $Repository -Constraint '$Constraint' (best first):"
    Find-EcrTag -Repository $Repository -Constraint $Constraint @aws | Format-Table Tag, PushedAt, Digest -AutoSize | Out-String -Width 160 | ForEach-Object TrimEnd | Write-Host

    Write-Heading '2. A GitOps repository: a chart values file and an annotated Application'
    $bare = Join-Path $temp 'remote/gitops.git'
    $clone = Join-Path $temp 'gitops'
    $remoteUrl = [Uri]::new($bare).AbsoluteUri
    Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
    Invoke-Git init --quiet --initial-branch=main $clone | Out-Null
    $null = New-Item -ItemType Directory (Join-Path $clone 'charts/web'), (Join-Path $clone 'apps')
    $values = @"
# Values of the web chart. Image Updater rewrites image.tag; everything else stays as written.
replicaCount: 2

image:
  repository: $ImageName  # Amazon ECR
  tag: "1.4.0"  # the release we run
  pullPolicy: IfNotPresent

service:
  port: 8080
"@
    [IO.File]::WriteAllText((Join-Path $clone 'charts/web/values.yaml'), $values.Replace("`r`n", "`n") + "`n")
    $manifest = @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=${ImageName}:$Constraint
    argocd-image-updater.argoproj.io/web.update-strategy: semver
    argocd-image-updater.argoproj.io/web.helm.image-name: image.repository
    argocd-image-updater.argoproj.io/web.helm.image-tag: image.tag
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: helmvalues:values.yaml
    argocd-image-updater.argoproj.io/git.branch: main
    argocd-image-updater.argoproj.io/git.commit-message: 'イメージのタグを {{ .tag }} に更新しました'
    argocd-image-updater.argoproj.io/git.user: Image Updater Demo
    argocd-image-updater.argoproj.io/git.email: image-updater@example.com
spec:
  project: default
  source:
    repoURL: $remoteUrl
    path: charts/web
    targetRevision: main
  destination:
    server: https://kubernetes.default.svc
    namespace: web
"@
    $manifestPath = Join-Path $clone 'apps/web.yaml'
    [IO.File]::WriteAllText($manifestPath, $manifest.Replace("`r`n", "`n") + "`n")
    Invoke-Git -C $clone add -A | Out-Null
    Invoke-Git -C $clone -c user.name=Demo -c user.email=demo@example.com commit --quiet -m 'Add the web chart and its Application' | Out-Null
    Invoke-Git -C $clone remote add origin $bare | Out-Null
    Invoke-Git -C $clone push --quiet origin main | Out-Null
    Write-Host "Remote (bare): $bare"
    Write-Host "apps/web.yaml annotations:"
    $manifest -split "`n" | Where-Object { $_ -match 'argocd-image-updater' } | ForEach-Object { Write-Host "  $($_.Trim())" }

    $work = Join-Path $temp 'cache'   # Update-HelmImageTag's clone of the remote (-WorkingDirectory)
    function Invoke-Pipeline {
        Get-ArgoApplication -Path (Join-Path $clone 'apps') |
            Find-EcrTag @aws |
            Update-HelmImageTag -WorkingDirectory $work
    }

    Write-Heading '3. Get-ArgoApplication -Path apps | Find-EcrTag | Update-HelmImageTag'
    $candidate = Get-ArgoApplication -Path (Join-Path $clone 'apps') | Find-EcrTag @aws
    Write-Host "Why this tag: $($candidate.Reason)"
    $first = @(Invoke-Pipeline)
    Show-Results $first
    if ($first.Count -ne 1 -or $first[0].Status -ne 'Updated') { throw "expected one Updated result, got: $($first.Status -join ', ')" }

    Write-Heading 'The commit pushed to the remote (git show main)'
    Invoke-Git -C $bare -c core.quotepath=off show --no-color --format='commit %H%nAuthor: %an <%ae>%n%n    %s' main | ForEach-Object { Write-Host $_ }

    Write-Heading '4. The same pipeline again: nothing to change, no commit'
    $commits = [int] (Invoke-Git -C $bare rev-list --count main)
    $second = @(Invoke-Pipeline)
    Show-Results $second
    $after = [int] (Invoke-Git -C $bare rev-list --count main)
    if ($second.Count -ne 1 -or $second[0].Status -ne 'Unchanged' -or $after -ne $commits) { throw "the second run changed something: $($second.Status -join ', '), commits $commits -> $after" }
    Write-Host "Commits on main: $after (unchanged)"

    Write-Heading ("Done in {0:N1} s" -f ([DateTime]::UtcNow - $started).TotalSeconds)
}
catch {
    # One line a person can act on; the stack trace stays out of the demo.
    $reason = if ($_.Exception.InnerException -and $_.Exception -is [System.Management.Automation.MethodInvocationException]) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
    Write-Host "Demo failed: $reason" -ForegroundColor Red
    $exitCode = 1
}
finally {
    if ($emulator) { $emulator.Stop() }
    foreach ($name in $savedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $savedEnvironment[$name]) }
    if (Test-Path $temp) { Remove-Item $temp -Recurse -Force -ErrorAction SilentlyContinue }
}
exit $exitCode
