# Runs each example of examples/ against the emulators (ECR, Argo CD) and temporary Git repositories.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Examples = Join-Path (Get-RepositoryRoot) 'examples'
    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $script:AccessKey = 'AKIAEXAMPLES00000001'
    $script:SecretText = 'examples-secret'

    $seed = Join-Path $TestDrive 'ecr-seed.json'
    '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000000},{"tags":["1.1.0"],"pushedAt":1700000100},{"tags":["1.2.0"],"pushedAt":1700000200},{"tags":["2.0.0"],"pushedAt":1700000300}]}]}' | Set-Content $seed
    $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', "${AccessKey}:$SecretText")

    # The process's own AWS and Argo CD settings stay out; restored in AfterAll.
    $script:Saved = @{}
    foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_ENDPOINT_URL_ECR', 'ARGOCD_SERVER', 'ARGOCD_AUTH_TOKEN') {
        $Saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $null)
    }
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-credentials'
    $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'no-config'
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    # An Argo CD emulator holding Helm applications whose image-list names team/web (argocd write-back, the default).
    function Start-ArgoWithApps([string[]] $Names, [string] $Project = 'shop') {
        $apps = foreach ($name in $Names) {
            @{
                metadata = @{ name = $name; namespace = 'argocd'; annotations = @{
                        'argocd-image-updater.argoproj.io/image-list'        = "web=$EcrHost/team/web:1.x"
                        'argocd-image-updater.argoproj.io/web.helm.image-tag' = 'image.tag'
                    } }
                spec     = @{ project = $(if ($name -like 'billing*') { 'finance' } else { $Project }); destination = @{ name = 'in-cluster'; namespace = $name }
                    source = @{ repoURL = 'https://git.example.com/gitops.git'; path = "apps/$name"; targetRevision = 'main'; helm = @{ parameters = @(@{ name = 'image.tag'; value = '1.0.0' }) } } }
                status   = @{ summary = @{ images = @("$EcrHost/team/web:1.0.0") } }
            }
        }
        $file = Join-Path $TestDrive "argo-$([guid]::NewGuid().ToString('N').Substring(0, 6)).json"
        ConvertTo-Json @($apps) -Depth 12 | Set-Content $file
        Start-Emulator argocd @('--seed', $file)
    }

    function Get-HelmTag($Argo, [string] $Name) {
        $app = Invoke-RestMethod "$($Argo.url)api/v1/applications/$Name" -Headers @{ Authorization = "Bearer $($Argo.tokens.admin)" }
        ($app.spec.source.helm.parameters | Where-Object name -EQ 'image.tag').value
    }

    # A bare repository with charts/web/values.yaml and a folder of Application manifests using git write-back.
    function New-GitOpsCheckout {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        $ecrHost = $EcrHost
        $fleet = New-GitOpsFleet -Root $root -Apps web -AppFolder charts -BareName remote.git -Manifests (Join-Path $root 'apps') -Image "$EcrHost/team/web:1.x" -Project shop -NoHelm `
            -Values { param($App) "image:`n  repository: $ecrHost/team/web`n  tag: 1.0.0 # released`n" }.GetNewClosure()
        $fleet | Add-Member -PassThru -NotePropertyName Apps -NotePropertyValue $fleet.Manifests
    }
}

AfterAll {
    if ($Ecr) { $Ecr.Stop() }
    foreach ($name in $Saved.Keys) { [Environment]::SetEnvironmentVariable($name, $Saved[$name]) }
}

Describe 'examples/azure-automation-runbook.ps1' {
    BeforeAll {
        $script:Argo = Start-ArgoWithApps 'web', 'api'
        $script:Runbook = Join-Path $Examples 'azure-automation-runbook.ps1'
        # Stand-ins for the Automation asset cmdlets that exist only inside Azure Automation.
        $script:Assets = @{
            'ImageUpdater-ArgoCDServer' = $Argo.url
            'ImageUpdater-AwsRegion'    = 'us-east-1'
            'ImageUpdater-ArgoCDToken'  = [pscredential]::new('token', (ConvertTo-SecureString $Argo.tokens.'image-updater' -AsPlainText -Force))
            'ImageUpdater-Aws'          = [pscredential]::new($AccessKey, (ConvertTo-SecureString $SecretText -AsPlainText -Force))
        }
        function Get-AutomationVariable([string] $Name) { if (-not $Assets.ContainsKey($Name)) { throw "Variable asset '$Name' not found." }; $Assets[$Name] }
        function Get-AutomationPSCredential([string] $Name) { if (-not $Assets.ContainsKey($Name)) { throw "Credential asset '$Name' not found." }; $Assets[$Name] }
    }
    AfterAll { if ($Argo) { $Argo.Stop() } }

    It 'says what to upload and where native libgit2 may not load' {
        $text = Get-Content $Runbook -Raw
        $text | Should -Match 'build\.ps1 -Task Package'
        $text | Should -Match 'ImageUpdater\.PS\.zip'
        $text | Should -Match 'Hybrid Runbook Worker'
        $text | Should -Match 'libgit2[\s\S]*unknown'
    }

    It 'updates the applications through the Argo CD API with the assets'' credentials and reports the summary' {
        $out = & $Runbook -EcrEndpointUrl $Ecr.url
        $text = $out -join "`n"
        $text | Should -Match '(?m)^web\s+.*1\.0\.0\s+1\.2\.0\s+Updated'
        $text | Should -Match 'Applications 2, images 2: 2 updated, 0 unchanged, 0 skipped, 0 failed'
        Get-HelmTag $Argo 'web' | Should -Be '1.2.0'
        Get-HelmTag $Argo 'api' | Should -Be '1.2.0'
        $text | Should -Not -Match ([regex]::Escape($SecretText))
    }

    It 'throws (the job ends Failed) when an image cannot be checked' {
        $Assets['ImageUpdater-Aws'] = [pscredential]::new($AccessKey, (ConvertTo-SecureString 'wrong-secret' -AsPlainText -Force))
        try {
            { & $Runbook -EcrEndpointUrl $Ecr.url -ErrorAction SilentlyContinue 2>$null } | Should -Throw '*Image Updater run failed for 2 image(s); first:*'
        }
        finally {
            $Assets['ImageUpdater-Aws'] = [pscredential]::new($AccessKey, (ConvertTo-SecureString $SecretText -AsPlainText -Force))
        }
    }
}

Describe 'examples/linux-schedule' {
    BeforeAll {
        $script:Schedule = Join-Path $Examples 'linux-schedule'
        function Invoke-Schedule([string] $Secret) {
            $env:IMAGEUPDATER_MODULE = Get-TestModulePath
            $env:IMAGEUPDATER_APPLICATIONS = $Repo.Apps
            $env:IMAGEUPDATER_WORKDIR = $Repo.Cache
            $env:AWS_ACCESS_KEY_ID = $AccessKey; $env:AWS_SECRET_ACCESS_KEY = $Secret; $env:AWS_REGION = 'us-east-1'
            $env:AWS_ENDPOINT_URL_ECR = $Ecr.url
            try {
                $stderr = Join-Path $TestDrive 'stderr.txt'
                $stdout = & (Get-PwshPath) -NoProfile -NonInteractive -File (Join-Path $Schedule 'run-imageupdater.ps1') 2>$stderr
                [pscustomobject]@{ ExitCode = $LASTEXITCODE; Out = ($stdout -join "`n"); Err = (Get-Content $stderr -Raw) }
            }
            finally {
                foreach ($name in 'IMAGEUPDATER_MODULE', 'IMAGEUPDATER_APPLICATIONS', 'IMAGEUPDATER_WORKDIR', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_ENDPOINT_URL_ECR') {
                    [Environment]::SetEnvironmentVariable($name, $null)
                }
            }
        }
        $script:Repo = New-GitOpsCheckout
    }

    It 'the service runs pwsh -NoProfile -File run-imageupdater.ps1 with settings from an env file; the timer and the cron line start it' {
        $service = Get-Content (Join-Path $Schedule 'imageupdater.service') -Raw
        $service | Should -Match '(?m)^ExecStart=/usr/bin/pwsh -NoProfile -NonInteractive -File /opt/imageupdater/run-imageupdater\.ps1$'
        $service | Should -Match '(?m)^EnvironmentFile=/etc/imageupdater/imageupdater\.env$'
        $service | Should -Match '(?m)^Type=oneshot$'
        (Get-Content (Join-Path $Schedule 'imageupdater.timer') -Raw) | Should -Match '(?m)^Unit=imageupdater\.service$'
        (Get-Content (Join-Path $Schedule 'imageupdater.cron') | Where-Object { $_ -notmatch '^#' }) | Should -Match '^\*/5 \* \* \* \* .*pwsh -NoProfile -NonInteractive -File /opt/imageupdater/run-imageupdater\.ps1'
    }

    It 'commits the new tag, prints one line per change and a summary, exits 0' {
        $run = Invoke-Schedule $SecretText
        $run.ExitCode | Should -Be 0 -Because "$($run.Out) $($run.Err)"
        $run.Out | Should -Match '(?m)^web \S+/team/web: \S* -> 1\.2\.0 Updated \([0-9a-f]{10}\)$'
        $run.Out | Should -Match 'imageupdater: 1 applications, 1 images: 1 updated, 0 unchanged, 0 skipped, 0 failed'
        (Invoke-Git -C $Repo.Bare show main:charts/web/values.yaml) -join "`n" | Should -Match 'tag: 1\.2\.0 # released'
    }

    It 'a second run changes nothing and still exits 0' {
        $run = Invoke-Schedule $SecretText
        $run.ExitCode | Should -Be 0
        $run.Out | Should -Match '0 updated, 1 unchanged'
    }

    It 'exits 1 with the reason on stderr when the registry refuses the credentials' {
        $run = Invoke-Schedule 'wrong-secret'
        $run.ExitCode | Should -Be 1
        $run.Err | Should -Match 'imageupdater: .*team/web'
        $run.Out | Should -Match '1 failed'
        $run.Err + $run.Out | Should -Not -Match 'wrong-secret'
    }
}

Describe 'examples/admin-one-liners.ps1' {
    BeforeAll {
        $script:Argo = Start-ArgoWithApps 'web', 'api', 'billing'
        Connect-ArgoCD -Server $Argo.url -Token (ConvertTo-SecureString $Argo.tokens.'image-updater' -AsPlainText -Force) 6>$null
        $env:AWS_ACCESS_KEY_ID = $AccessKey; $env:AWS_SECRET_ACCESS_KEY = $SecretText; $env:AWS_REGION = 'us-east-1'
        # The one-liners name no endpoint: the emulator's comes from PSDefaultParameterValues, as a VPC endpoint would.
        $script:SavedDefaults = $global:PSDefaultParameterValues.Clone()
        $global:PSDefaultParameterValues['Invoke-ImageUpdater:EndpointUrl'] = $Ecr.url
        $global:PSDefaultParameterValues['Find-EcrTag:EndpointUrl'] = $Ecr.url

        # A checkout with one good Application and one with annotation mistakes.
        $script:Checkout = Join-Path $TestDrive 'checkout'
        $null = New-Item -ItemType Directory (Join-Path $Checkout 'apps/team-b') -Force
        "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata:`n  name: good`n  annotations:`n    argocd-image-updater.argoproj.io/image-list: web=$EcrHost/team/web:1.x`nspec:`n  source:`n    repoURL: https://git.example.com/g.git`n    path: apps/good`n    helm: {}`n" |
            Set-Content (Join-Path $Checkout 'apps/good.yaml')
        "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata:`n  name: broken`n  annotations:`n    argocd-image-updater.argoproj.io/image-list: web=$EcrHost/team/web:1.x`n    argocd-image-updater.argoproj.io/web.update-strategy: newest`nspec:`n  source:`n    repoURL: https://git.example.com/g.git`n    path: apps/broken`n" |
            Set-Content (Join-Path $Checkout 'apps/team-b/broken.yaml')

        # The file's top-level pipelines, in order.
        $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $Examples 'admin-one-liners.ps1'), [ref] $null, [ref] $null)
        $script:OneLiners = @($ast.EndBlock.Statements | ForEach-Object { $_.Extent.Text })
        function Invoke-OneLiner([int] $Index) {
            Push-Location $Checkout
            try { & ([scriptblock]::Create($OneLiners[$Index])) | Out-String -Width 200 }
            finally { Pop-Location }
        }
    }
    AfterAll {
        Disconnect-ArgoCD
        if ($Argo) { $Argo.Stop() }
        $global:PSDefaultParameterValues.Clear()
        foreach ($key in $SavedDefaults.Keys) { $global:PSDefaultParameterValues[$key] = $SavedDefaults[$key] }
        foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION') { [Environment]::SetEnvironmentVariable($name, $null) }
    }

    It 'holds three one-liners' {
        $OneLiners.Count | Should -Be 3
        $OneLiners | ForEach-Object { $_ | Should -Not -Match "`n" }
    }

    It 'what would change across a project: the shop applications, 1.0.0 -> 1.2.0, nothing patched' {
        $text = Invoke-OneLiner 0
        $text | Should -Match '(?m)^api\s+\S+/team/web\s+1\.0\.0\s+1\.2\.0'
        $text | Should -Match '(?m)^web\s+\S+/team/web\s+1\.0\.0\s+1\.2\.0'
        $text | Should -Not -Match 'billing'
        Get-HelmTag $Argo 'web' | Should -Be '1.0.0'
    }

    It 'the newest tag of a repository' {
        $text = Invoke-OneLiner 1
        $text | Should -Match '(?m)^\s*2\.0\.0\b'
        ($text -split "`n" | Where-Object { $_ -match '^\s*\d+\.\d+\.\d+' }).Count | Should -Be 1
    }

    It 'lint: the broken Application''s strategy is reported, the good one is clean' {
        $text = Invoke-OneLiner 2 2>$null
        $text | Should -Match '(?m)^\s*Error\s+broken\s+\S*update-strategy'
        $text | Should -Not -Match '\bgood\b'
    }
}
