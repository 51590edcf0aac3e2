#Requires -Version 7.4
<#
.SYNOPSIS
    End-to-end figures for the Argo CD paths against the loopback emulators: listing N Applications through the Argo CD API
    and through the Kubernetes API, and the argocd write-back of M of them (one GET and one guarded PATCH each).
.EXAMPLE
    dotnet pwsh bench/ArgoCD/Measure-ArgoCD.ps1 -Count 2000 -WriteBack 100
#>
param(
    [int] $Count = 2000,
    [int] $WriteBack = 100,
    [int] $Repeat = 3
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
Import-Module (Join-Path $root 'tests/ImageUpdater.PS.Tests/TestHelpers.psm1') -Force
Import-Module (Join-Path $root 'out/ImageUpdater.PS') -Force

# N Helm applications with one annotated image each, written as an emulator seed file.
$seed = Join-Path ([IO.Path]::GetTempPath()) "argocd-bench-$PID.json"
$apps = foreach ($i in 1..$Count) {
    @{
        apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'
        metadata   = @{ name = "app-$i"; namespace = 'argocd'; labels = @{ team = "team-$($i % 10)" }
            annotations = @{ 'argocd-image-updater.argoproj.io/image-list' = "web=ghcr.io/acme/app-${i}:~1.4"
                'argocd-image-updater.argoproj.io/web.helm.image-name' = 'image.repository'; 'argocd-image-updater.argoproj.io/web.helm.image-tag' = 'image.tag' } }
        spec       = @{ project = 'default'; destination = @{ name = 'in-cluster'; namespace = "app-$i" }
            source = @{ repoURL = 'https://git.example.com/gitops.git'; path = "apps/app-$i"; helm = @{ parameters = @(@{ name = 'replicas'; value = '2' }) } } }
        status     = @{ summary = @{ images = @("ghcr.io/acme/app-${i}:1.4.0") } }
    }
}
ConvertTo-Json -InputObject @($apps) -Depth 20 -Compress | Set-Content $seed

$argo = Start-Emulator argocd @('--seed', $seed)
$kube = Start-Emulator kube @('--seed', $seed)
try {
    $kubeconfig = Join-Path ([IO.Path]::GetTempPath()) "kubeconfig-bench-$PID"
    "apiVersion: v1`nkind: Config`ncurrent-context: e`nclusters:`n- name: e`n  cluster: {server: $($kube.url.TrimEnd('/'))}`ncontexts:`n- name: e`n  context: {cluster: e, user: u}`nusers:`n- name: u`n  user: {token: $($kube.token)}`n" | Set-Content $kubeconfig
    Connect-ArgoCD -Server $argo.url -Token (ConvertTo-SecureString $argo.tokens.'image-updater' -AsPlainText -Force)

    function Measure-Best([scriptblock] $Block) {
        $times = foreach ($r in 1..$Repeat) { (Measure-Command $Block).TotalMilliseconds }
        ($times | Measure-Object -Minimum).Minimum
    }

    $api = Measure-Best { $script:n1 = @(Get-ArgoApplication).Count }
    $k8s = Measure-Best { $script:n2 = @(Get-ArgoApplication -Kubeconfig $kubeconfig).Count }
    $sel = Measure-Best { $script:n3 = @(Get-ArgoApplication -Selector 'team=team-3').Count }

    $targets = Get-ArgoApplication -Name ((1..$WriteBack) | ForEach-Object { "app-$_" })
    $type = $targets[0].PSObject.BaseObject.GetType().Assembly.GetType('ImageUpdater.Core.Updating.ImageUpdateCandidate')
    $candidates = foreach ($app in $targets) {
        $c = [Activator]::CreateInstance($type, [object[]] @($app.PSObject.BaseObject, $app.Images[0].PSObject.BaseObject))
        $c.CurrentTag = '1.4.0'; $c.NewTag = '1.4.1'; $c.UpdateNeeded = $true; $c
    }
    $write = (Measure-Command { $script:results = Update-HelmImageTag -Candidate $candidates }).TotalMilliseconds
    $updated = @($results | Where-Object Status -EQ 'Updated').Count

    [pscustomobject]@{ Measure = "Get-ArgoApplication -Server, $n1 apps (best of $Repeat)"; Milliseconds = [math]::Round($api); PerApp = [math]::Round($api / $n1, 3) }
    [pscustomobject]@{ Measure = "Get-ArgoApplication -Kubeconfig, $n2 apps (best of $Repeat)"; Milliseconds = [math]::Round($k8s); PerApp = [math]::Round($k8s / $n2, 3) }
    [pscustomobject]@{ Measure = "Get-ArgoApplication -Selector, $n3 of $Count apps (best of $Repeat)"; Milliseconds = [math]::Round($sel); PerApp = [math]::Round($sel / [math]::Max(1, $n3), 3) }
    [pscustomobject]@{ Measure = "argocd write-back, $updated apps updated (GET + guarded PATCH each)"; Milliseconds = [math]::Round($write); PerApp = [math]::Round($write / [math]::Max(1, $updated), 3) }
}
finally {
    Disconnect-ArgoCD
    $argo.Stop(); $kube.Stop()
    Remove-Item $seed, $kubeconfig -ErrorAction SilentlyContinue
}
