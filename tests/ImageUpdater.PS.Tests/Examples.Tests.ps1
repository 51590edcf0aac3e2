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
        # Keyless: the identity endpoint stand-in issues an Entra token that the STS emulator exchanges for a session the
        # ECR emulator accepts; no AWS key exists in the assets or the environment.
        $script:Role = 'arn:aws:iam::123456789012:role/image-updater'
        $script:EntraToken = 'eyJ0eXAi.examples-entra-token.sig'
        $seed = Join-Path $TestDrive 'ecr-keyless-seed.json'
        '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000000},{"tags":["1.1.0"],"pushedAt":1700000100},{"tags":["1.2.0"],"pushedAt":1700000200},{"tags":["2.0.0"],"pushedAt":1700000300}]}]}' | Set-Content $seed
        $script:KeylessEcr = Start-Emulator ecr @('--seed', $seed, '--key', 'ASIAEXAMPLESKEYLESS1:keyless-secret:keyless-session')
        $script:Sts = Start-Emulator sts @('--token', $EntraToken, '--role', $Role, '--issue', 'ASIAEXAMPLESKEYLESS1:keyless-secret:keyless-session')
        $script:Identity = Start-Emulator azure-identity @('--mode', 'endpoint', '--header', 'examples-identity-header', '--issue', $EntraToken)
        $env:IDENTITY_ENDPOINT = "$($Identity.url)msi/token"; $env:IDENTITY_HEADER = 'examples-identity-header'; $env:AWS_ENDPOINT_URL_STS = $Sts.url.TrimEnd('/')
        # Stand-ins for the Automation asset cmdlets that exist only inside Azure Automation.
        $script:Assets = @{
            'ImageUpdater-ArgoCDServer' = $Argo.url
            'ImageUpdater-AwsRegion'    = 'us-east-1'
            'ImageUpdater-ArgoCDToken'  = [pscredential]::new('token', (ConvertTo-SecureString $Argo.tokens.'image-updater' -AsPlainText -Force))
            'ImageUpdater-AwsRoleArn'   = $Role
        }
        function Get-AutomationVariable([string] $Name) { if (-not $Assets.ContainsKey($Name)) { throw "Variable asset '$Name' not found." }; $Assets[$Name] }
        function Get-AutomationPSCredential([string] $Name) { if (-not $Assets.ContainsKey($Name)) { throw "Credential asset '$Name' not found." }; $Assets[$Name] }
        function Reset-Tags { foreach ($name in 'web', 'api') { Invoke-RestMethod -Method Post "$($Argo.url)__emulator/applications" -ContentType 'application/json' -Body (Get-App $name | ConvertTo-Json -Depth 12) | Out-Null } }
        function Get-App([string] $Name) {
            $app = Invoke-RestMethod "$($Argo.url)api/v1/applications/$Name" -Headers @{ Authorization = "Bearer $($Argo.tokens.admin)" }
            ($app.spec.source.helm.parameters | Where-Object name -EQ 'image.tag').value = '1.0.0'
            $app
        }
    }
    AfterAll {
        foreach ($e in $Argo, $KeylessEcr, $Sts, $Identity) { if ($e) { $e.Stop() } }
        Remove-Item env:IDENTITY_ENDPOINT, env:IDENTITY_HEADER, env:AWS_ENDPOINT_URL_STS -ErrorAction SilentlyContinue
    }

    It 'says what to upload, how to set up the keyless AWS role, and where native libgit2 may not load' {
        $text = Get-Content $Runbook -Raw
        $text | Should -Match 'build\.ps1 -Task Package'
        $text | Should -Match 'ImageUpdater\.PS\.zip'
        $text | Should -Match 'Hybrid Runbook Worker'
        $text | Should -Match 'libgit2[\s\S]*unknown'
        $text | Should -Match 'sts\.windows\.net/<tenant-id>/'
        $text | Should -Match 'api://AzureADTokenExchange'
        $text | Should -Match "AwsAuthentication = 'ManagedIdentity'"
    }

    It 'updates the applications with the managed identity by default (no AWS key in any asset) and leaves the process session alone' {
        $Assets.Keys | Should -Not -Contain 'ImageUpdater-Aws'
        $out = & $Runbook -EcrEndpointUrl $KeylessEcr.url
        $text = $out -join "`n"
        $text | Should -Match '(?m)^web\s+.*1\.0\.0\s+1\.2\.0\s+Updated'
        $text | Should -Match 'Applications 2, images 2: 2 updated, 0 unchanged, 0 skipped, 0 failed'
        Get-HelmTag $Argo 'web' | Should -Be '1.2.0'
        Get-HelmTag $Argo 'api' | Should -Be '1.2.0'
        (Invoke-RestMethod "$($Sts.url)__emulator/stats").AssumeRoleWithWebIdentity | Should -BeGreaterOrEqual 1
        $text | Should -Not -Match 'keyless-secret|keyless-session|examples-entra-token|examples-identity-header'
        { Get-ArgoApplication -Name web } | Should -Throw -Because 'the runbook keeps its connection to itself (Connect-ArgoCD -NoDefault)'
    }

    It 'falls back to the access key asset with -AwsAuthentication AccessKey' {
        Reset-Tags
        $Assets['ImageUpdater-Aws'] = [pscredential]::new($AccessKey, (ConvertTo-SecureString $SecretText -AsPlainText -Force))
        try {
            $text = (& $Runbook -EcrEndpointUrl $Ecr.url -AwsAuthentication AccessKey) -join "`n"
            $text | Should -Match 'Applications 2, images 2: 2 updated'
            $text | Should -Not -Match ([regex]::Escape($SecretText))
        }
        finally { $Assets.Remove('ImageUpdater-Aws') }
    }

    It 'throws (the job ends Failed) when an image cannot be checked' {
        $Assets['ImageUpdater-Aws'] = [pscredential]::new($AccessKey, (ConvertTo-SecureString 'wrong-secret' -AsPlainText -Force))
        try {
            { & $Runbook -EcrEndpointUrl $Ecr.url -AwsAuthentication AccessKey -ErrorAction SilentlyContinue 2>$null } | Should -Throw '*Image Updater run failed for 2 image(s); first:*'
        }
        finally { $Assets.Remove('ImageUpdater-Aws') }
    }
}

Describe 'examples/azure-automation-fleet.ps1 (parent runbook) starting shard child jobs' {
    BeforeAll {
        $script:Names = 'web', 'api', 'cart', 'search', 'billing-web', 'auth', 'mail'
        $script:Argo = Start-ArgoWithApps $Names
        $script:Runbook = Join-Path $Examples 'azure-automation-runbook.ps1'
        $script:Parent = Join-Path $Examples 'azure-automation-fleet.ps1'
        $script:Assets = @{
            'ImageUpdater-ArgoCDServer' = $Argo.url
            'ImageUpdater-AwsRegion'    = 'us-east-1'
            'ImageUpdater-ArgoCDToken'  = [pscredential]::new('token', (ConvertTo-SecureString $Argo.tokens.'image-updater' -AsPlainText -Force))
            'ImageUpdater-Aws'          = [pscredential]::new($AccessKey, (ConvertTo-SecureString $SecretText -AsPlainText -Force))
        }
        function Get-AutomationVariable([string] $Name) { if (-not $Assets.ContainsKey($Name)) { throw "Variable asset '$Name' not found." }; $Assets[$Name] }
        function Get-AutomationPSCredential([string] $Name) { if (-not $Assets.ContainsKey($Name)) { throw "Credential asset '$Name' not found." }; $Assets[$Name] }
        # Stand-ins for Az.Accounts and Az.Automation: a started job runs the child runbook at once, as its own sandbox would.
        # Global: the stand-ins run from inside the parent runbook's own script scope.
        $global:Issue19StartedJobs = @{}
        function Disable-AzContextAutosave { param($Scope) }
        function Connect-AzAccount { param([switch] $Identity) }
        function Start-AzAutomationRunbook {
            param($ResourceGroupName, $AutomationAccountName, $Name, [hashtable] $Parameters)
            $id = [guid]::NewGuid()
            $status = try { $null = & $Runbook -EcrEndpointUrl $Ecr.url -AwsAuthentication AccessKey @Parameters *>&1; 'Completed' } catch { 'Failed' }
            $global:Issue19StartedJobs[$id] = [pscustomobject]@{ Parameters = $Parameters; Status = $status }
            [pscustomobject]@{ JobId = $id }
        }
        function Get-AzAutomationJob { param($ResourceGroupName, $AutomationAccountName, $Id) [pscustomobject]@{ Status = $global:Issue19StartedJobs[$Id].Status } }
        function Get-Patches { @((Invoke-RestMethod "$($Argo.url)__emulator/requests") | ForEach-Object { $_ } | Where-Object method -EQ 'PATCH') }
    }
    AfterAll { if ($Argo) { $Argo.Stop() }; Remove-Variable Issue19StartedJobs -Scope Global -ErrorAction SilentlyContinue }

    It 'starts N children with -ShardIndex/-ShardCount, and together they update every Application exactly once' {
        $out = & $Parent -ResourceGroupName rg -AutomationAccountName aa -ShardCount 3 -PollSeconds 1
        $global:Issue19StartedJobs.Count | Should -Be 3
        @($global:Issue19StartedJobs.Values.Parameters.ShardIndex | Sort-Object) | Should -Be @(0, 1, 2)
        $global:Issue19StartedJobs.Values.Parameters.ShardCount | Sort-Object -Unique | Should -Be 3
        ($out -join "`n") | Should -Match '(?m)^2/3\s+\S+\s+Completed'
        foreach ($name in $Names) {
            Get-HelmTag $Argo $name | Should -Be '1.2.0' -Because "$name is in one of the shards"
            @(Get-Patches | Where-Object { $_.path -like "*/applications/$name*" }).Count | Should -Be 1 -Because "$name is in exactly one shard"
        }
    }

    It 'throws when a child job fails' {
        $Assets['ImageUpdater-Aws'] = [pscredential]::new($AccessKey, (ConvertTo-SecureString 'wrong-secret' -AsPlainText -Force))
        try { { & $Parent -ResourceGroupName rg -AutomationAccountName aa -ShardCount 2 -PollSeconds 1 } | Should -Throw '*shard job(s) did not complete*' }
        finally { $Assets['ImageUpdater-Aws'] = [pscredential]::new($AccessKey, (ConvertTo-SecureString $SecretText -AsPlainText -Force)) }
    }
}

Describe 'examples/kubernetes/imageupdater-cronjob.yaml (Indexed Job, -Shard Auto)' {
    BeforeAll {
        $script:Names = 'web', 'api', 'cart', 'search', 'auth', 'mail'
        $script:Argo = Start-ArgoWithApps $Names
        $script:Yaml = Get-Content (Join-Path $Examples 'kubernetes/imageupdater-cronjob.yaml')
        # The main container's script: the block scalar after 'args:' / '- |'.
        $start = [array]::FindIndex($Yaml, [Predicate[string]] { param($l) $l -match '^\s+- \|\s*$' })
        $indent = ($Yaml[$start + 1] -replace '^(\s*).*', '$1').Length
        $script:Script = ($Yaml[($start + 1)..($Yaml.Count - 1)] | ForEach-Object -Begin { $open = $true } -Process {
                if ($open -and ($_ -eq '' -or ($_ -replace '^(\s*).*', '$1').Length -ge $indent)) { $_.Substring([Math]::Min($indent, $_.Length)) } else { $open = $false }
            }) -join "`n"
        function Get-Patches { @((Invoke-RestMethod "$($Argo.url)__emulator/requests") | ForEach-Object { $_ } | Where-Object method -EQ 'PATCH') }
    }
    AfterAll { if ($Argo) { $Argo.Stop() } }

    It 'is an Indexed Job whose JOB_COMPLETIONS matches its completions, in the official PowerShell image, with -Shard Auto' {
        $text = $Yaml -join "`n"
        $text | Should -Match 'completionMode: Indexed'
        $completions = [regex]::Match($text, '(?m)^\s+completions: (\d+)').Groups[1].Value
        [regex]::Match($text, 'name: JOB_COMPLETIONS, value: "(\d+)"').Groups[1].Value | Should -Be $completions
        [regex]::Match($text, '(?m)^\s+parallelism: (\d+)').Groups[1].Value | Should -Be $completions
        $text | Should -Match 'image: mcr\.microsoft\.com/powershell:7\.4'
        $Script | Should -Match 'Invoke-ImageUpdater -Shard Auto'
    }

    It 'its pods, one per JOB_COMPLETION_INDEX, together update every Application exactly once' {
        $completions = [int] [regex]::Match(($Yaml -join "`n"), '(?m)^\s+completions: (\d+)').Groups[1].Value
        $outputs = foreach ($index in 0..($completions - 1)) {
            $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-PwshPath))
            foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Script) { $psi.ArgumentList.Add($a) }
            $variables = @{
                JOB_COMPLETION_INDEX = "$index"; JOB_COMPLETIONS = "$completions"
                PSModulePath = (Split-Path (Get-TestModulePath)); ARGOCD_SERVER = $Argo.url; ARGOCD_AUTH_TOKEN = $Argo.tokens.'image-updater'
                AWS_ACCESS_KEY_ID = $AccessKey; AWS_SECRET_ACCESS_KEY = $SecretText; AWS_REGION = 'us-east-1'; AWS_ENDPOINT_URL_ECR = $Ecr.url
                AWS_EC2_METADATA_DISABLED = 'true'; AWS_SHARED_CREDENTIALS_FILE = (Join-Path $TestDrive 'no-credentials'); AWS_CONFIG_FILE = (Join-Path $TestDrive 'no-config')
            }
            foreach ($k in $variables.Keys) { $psi.Environment[$k] = $variables[$k] }
            $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
            $p = [System.Diagnostics.Process]::Start($psi)
            $err = $p.StandardError.ReadToEndAsync()
            $out = $p.StandardOutput.ReadToEnd()
            $p.WaitForExit()
            $p.ExitCode | Should -Be 0 -Because ($out + $err.Result)
            $out
        }
        ($outputs -join "`n") | Should -Match "shard 0/${completions}: applications"
        foreach ($name in $Names) {
            Get-HelmTag $Argo $name | Should -Be '1.2.0'
            @(Get-Patches | Where-Object { $_.path -like "*/applications/$name*" }).Count | Should -Be 1 -Because "$name is in exactly one pod's shard"
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
