# Shared by the Pester files: where the built module and the shared corpus are, and how a server-backed test skips.

function Get-TestModulePath {
    if ($env:IMAGEUPDATER_TEST_MODULE) { return $env:IMAGEUPDATER_TEST_MODULE }
    return (Resolve-Path (Join-Path $PSScriptRoot '../../out/ImageUpdater.PS')).Path
}

function Get-RepositoryRoot {
    return (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

# ../shared/data beside the repository (present in CI), or $null.
function Get-SharedDataPath {
    $candidate = Join-Path (Get-RepositoryRoot) '../shared/data'
    if (Test-Path $candidate) { return (Resolve-Path $candidate).Path }
    return $null
}

function Test-IsCI { return $env:CI -eq 'true' }

# The pwsh that runs the tests, for child processes. Started as 'dotnet pwsh' the process is dotnet itself,
# and the tool puts its own pwsh first on PATH.
function Get-PwshPath {
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ((Split-Path $self -Leaf) -match '^pwsh(\.exe)?$') { return $self }
    return (Get-Command pwsh -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

# The emulator host (tests/Emulators), built by the solution build.
function Get-EmulatorDll {
    $root = Get-RepositoryRoot
    $dll = Get-ChildItem (Join-Path $root 'tests/Emulators/bin') -Recurse -Filter 'ImageUpdater.Emulators.dll' -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $dll) { throw 'The emulators are not built: run ./build.ps1 first.' }
    return $dll.FullName
}

# Starts an emulator process ('ecr', 'argocd', 'kube', 'git-http', …) and returns an object with Url, Process and Stop().
# The emulator prints one JSON line ({"url": …}) on stdout when it listens.
function Start-Emulator {
    param(
        [Parameter(Mandatory)] [string] $Kind,
        [string[]] $Arguments = @()
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $psi.ArgumentList.Add((Get-EmulatorDll))
    $psi.ArgumentList.Add($Kind)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardInput = $true
    $psi.UseShellExecute = $false
    $proc = [System.Diagnostics.Process]::Start($psi)
    $line = $proc.StandardOutput.ReadLine()
    if (-not $line) { throw "Emulator '$Kind' exited without listening (exit code $($proc.ExitCode))." }
    $info = $line | ConvertFrom-Json
    $info | Add-Member -NotePropertyName Process -NotePropertyValue $proc
    $info | Add-Member -MemberType ScriptMethod -Name Stop -Value {
        try { $this.Process.StandardInput.Close() } catch { }
        if (-not $this.Process.WaitForExit(3000)) { $this.Process.Kill($true) }
    }
    return $info
}

# git, failing loudly with its output.
function Invoke-Git {
    $out = & git @args 2>&1
    if ($LASTEXITCODE -ne 0) { throw "git $($args -join ' '): $out" }
    $out
}

# The fleet the git write-back tests share: a bare repository $Root/$BareName whose $AppFolder/<app>/values.yaml hold
# & $Values <app> (one seed commit on main), and in $Manifests one Application per app with git write-back of image
# web=$Image (helm image.tag) to repoURL & $RepoUrl <bare>. Returns Root, Bare, Url, Manifests and Cache ($Root/cache).
function New-GitOpsFleet {
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string[]] $Apps,
        [Parameter(Mandatory)] [string] $Image,
        [string] $Manifests = (Join-Path $Root 'manifests'),
        [scriptblock] $Values = { param($App) "image:`n  repository: web`n  tag: 1.0.0`n" },
        [scriptblock] $RepoUrl = { param($Bare) [Uri]::new($Bare).AbsoluteUri },
        [string] $Project = 'default',
        [string] $AppFolder = 'apps',
        [string] $BareName = 'gitops.git',
        # Leaves out the source's 'helm: {}' (a plain directory source).
        [switch] $NoHelm
    )
    $bare = Join-Path $Root $BareName
    $seed = Join-Path $Root 'seed'
    Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
    Invoke-Git init --quiet --initial-branch=main $seed | Out-Null
    foreach ($app in $Apps) {
        $null = New-Item -ItemType Directory (Join-Path $seed "$AppFolder/$app") -Force
        [IO.File]::WriteAllText((Join-Path $seed "$AppFolder/$app/values.yaml"), (& $Values $app))
    }
    Invoke-Git -C $seed add -A | Out-Null
    Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
    Invoke-Git -C $seed push --quiet $bare main 2>$null | Out-Null
    $url = & $RepoUrl $bare
    $helm = if ($NoHelm) { '' } else { "`n    helm: {}" }
    $null = New-Item -ItemType Directory $Manifests -Force
    foreach ($app in $Apps) {
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $app
  namespace: argocd
  annotations:
    argocd-image-updater.argoproj.io/image-list: web=$Image
    argocd-image-updater.argoproj.io/web.helm.image-tag: image.tag
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: helmvalues:values.yaml
spec:
  project: $Project
  source:
    repoURL: $url
    path: $AppFolder/$app
    targetRevision: main$helm
"@ | Set-Content (Join-Path $Manifests "$app.yaml")
    }
    [pscustomobject]@{ Root = $Root; Bare = $bare; Url = $url; Manifests = $Manifests; Cache = (Join-Path $Root 'cache') }
}

# The benchmarks' fleet (bench/Pipeline, bench/Scale): bare repositories $Root/gitops-NNN.git, application a in repository
# a mod $GitRepositories with apps/app-NNNN/values.yaml holding & $Values a; the seeds are built under $Seed.
function New-BenchRepositories {
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $Seed,
        [Parameter(Mandatory)] [int] $GitRepositories,
        [Parameter(Mandatory)] [int] $Applications,
        [Parameter(Mandatory)] [scriptblock] $Values
    )
    $null = New-Item -ItemType Directory $Root
    for ($r = 0; $r -lt $GitRepositories; $r++) {
        $name = 'gitops-{0:D3}' -f $r
        $seedDir = Join-Path $Seed $name
        $null = New-Item -ItemType Directory $seedDir -Force
        for ($a = $r; $a -lt $Applications; $a += $GitRepositories) {
            $dir = Join-Path $seedDir ('apps/app-{0:D4}' -f $a)
            $null = New-Item -ItemType Directory $dir -Force
            [IO.File]::WriteAllText((Join-Path $dir 'values.yaml'), (& $Values $a))
        }
        Invoke-Git -C $seedDir init --quiet --initial-branch=main | Out-Null
        Invoke-Git -C $seedDir add -A | Out-Null
        Invoke-Git -C $seedDir -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
        Invoke-Git init --quiet --bare --initial-branch=main (Join-Path $Root "$name.git") | Out-Null
        Invoke-Git -C $seedDir push --quiet (Join-Path $Root "$name.git") main | Out-Null
    }
}

# One manifest app-NNNN.yaml per application in $Folder: git write-back (helmvalues:values.yaml) to & $RepoUrl gitops-NNN,
# with the annotation lines & $Images a (image-list and helm keys).
function New-BenchManifests {
    param(
        [Parameter(Mandatory)] [string] $Folder,
        [Parameter(Mandatory)] [int] $GitRepositories,
        [Parameter(Mandatory)] [int] $Applications,
        [Parameter(Mandatory)] [scriptblock] $RepoUrl,
        [Parameter(Mandatory)] [scriptblock] $Images
    )
    $null = New-Item -ItemType Directory $Folder
    for ($a = 0; $a -lt $Applications; $a++) {
        $url = & $RepoUrl ('gitops-{0:D3}' -f ($a % $GitRepositories))
        $annotations = (& $Images $a) -join "`n"
        @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $('app-{0:D4}' -f $a)
  namespace: argocd
  annotations:
$annotations
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: helmvalues:values.yaml
spec:
  project: fleet
  source:
    repoURL: $url
    path: $('apps/app-{0:D4}' -f $a)
    targetRevision: main
    helm: {}
"@ | Set-Content (Join-Path $Folder ('app-{0:D4}.yaml' -f $a))
    }
}

# One Application 'web' (one ECR image, helmvalues git write-back) over a new bare repository whose values file holds $Tag,
# with its status listing the running image; extra image-updater annotations by key. Used by the Issue17 holds and
# minimum-age tests.
function New-WebAppFixture {
    param([Parameter(Mandatory)] [string] $Root, [Parameter(Mandatory)] [string] $EcrHost, [string] $Tag = '1.0.0', [hashtable] $Annotations = @{})
    $bare = Join-Path $Root 'remote/gitops.git'
    $seed = Join-Path $Root 'seed'
    Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
    Invoke-Git clone --quiet $bare $seed 2>$null | Out-Null
    $null = New-Item -ItemType Directory (Join-Path $seed 'apps/web') -Force
    [IO.File]::WriteAllText((Join-Path $seed 'apps/web/values.yaml'), "image:`n  tag: $Tag`n")
    Invoke-Git -C $seed checkout --quiet -b main | Out-Null
    Invoke-Git -C $seed add -A | Out-Null
    Invoke-Git -C $seed -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
    Invoke-Git -C $seed push --quiet origin main 2>$null | Out-Null
    $lines = @('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: web', '  namespace: argocd', '  annotations:',
        "    argocd-image-updater.argoproj.io/image-list: 'web=$EcrHost/team/web:1.x'",
        "    argocd-image-updater.argoproj.io/web.helm.image-tag: image.tag",
        "    argocd-image-updater.argoproj.io/write-back-method: git",
        "    argocd-image-updater.argoproj.io/write-back-target: 'helmvalues:values.yaml'")
    foreach ($k in $Annotations.Keys) { $lines += "    argocd-image-updater.argoproj.io/${k}: '$($Annotations[$k])'" }
    $lines += 'spec:', '  project: default', '  source:', "    repoURL: $([Uri]::new($bare).AbsoluteUri)", '    path: apps/web', '    targetRevision: main', '    helm: {}',
        'status:', '  summary:', '    images:', "      - $EcrHost/team/web:1.0.0"
    $manifests = Join-Path $Root 'manifests'
    $null = New-Item -ItemType Directory $manifests
    Set-Content (Join-Path $manifests 'web.yaml') ($lines -join "`n")
    [pscustomobject]@{ Root = $Root; Bare = $bare; Seed = $seed; Manifests = $manifests; Cache = (Join-Path $Root 'cache') }
}

Export-ModuleMember -Function *
