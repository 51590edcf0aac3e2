# Issue 17, part 5: the webhook runbook examples (PowerShell 7 and 5.1 forms) run with a recorded $WebhookData of each
# provider (tests/ImageUpdater.PS.Tests/Issue17/Webhooks, from each provider's docs), against the ECR and Argo CD emulators.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Examples = Join-Path (Get-RepositoryRoot) 'examples'
    $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $script:AccessKey = 'AKIARUNBOOK170000001'
    $script:SecretText = 'runbook-ecr-secret'
    $script:HookSecret = 'runbook-hook-secret'

    $seed = Join-Path $TestDrive 'ecr-seed.json'
    '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000000},{"tags":["1.1.0"],"pushedAt":1700000100},{"tags":["1.2.0"],"pushedAt":1700000200}]}]}' | Set-Content $seed
    $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', "${AccessKey}:$SecretText")
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    # Argo CD holding 'web' and 'api' (team/web, Helm parameter image.tag 1.0.0, argocd write-back).
    function Start-Argo {
        $apps = foreach ($name in 'web', 'api') {
            @{
                metadata = @{ name = $name; namespace = 'argocd'; annotations = @{
                        'argocd-image-updater.argoproj.io/image-list'         = "web=$EcrHost/team/web:1.x"
                        'argocd-image-updater.argoproj.io/web.helm.image-tag' = 'image.tag' } }
                spec     = @{ project = 'shop'; destination = @{ name = 'in-cluster'; namespace = $name }
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

    # A recorded request as the provider sends it, with the provider's way of carrying $HookSecret.
    function Get-Recorded([string] $Name) {
        $lines = (Get-Content (Join-Path $PSScriptRoot "Issue17/Webhooks/$Name.http") -Raw) -replace "`r`n", "`n" -split "`n"
        $i = 0
        while ($lines[$i].StartsWith('#')) { $i++ }
        $headers = [ordered]@{}
        for (; $lines[$i].Length -gt 0; $i++) { $n, $v = $lines[$i] -split ':', 2; $headers[$n] = $v.Trim() }
        $body = ($lines[($i + 1)..($lines.Count - 1)] -join "`n")
        if ($Name -eq 'ecr-eventbridge') {
            # Retargeted at the emulator's region and repository, as the rule for team/web would deliver it.
            $event = $body | ConvertFrom-Json
            $event.region = 'us-east-1'; $event.detail.'repository-name' = 'team/web'; $event.detail.'image-tag' = '1.2.0'
            $body = $event | ConvertTo-Json -Depth 5 -Compress
        }
        else {
            $body = $body | ConvertFrom-Json | ConvertTo-Json -Depth 20 -Compress
        }
        switch -Wildcard ($Name) {
            'github*' {
                $hmac = [System.Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($HookSecret))
                $headers['X-Hub-Signature-256'] = 'sha256=' + (($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($body)) | ForEach-Object { $_.ToString('x2') }) -join '')
            }
            'harbor' { $headers['Authorization'] = $HookSecret }
            'acr' { $headers['Authorization'] = $HookSecret }
            default { $headers['X-Webhook-Secret'] = $HookSecret }
        }
        [pscustomobject]@{ Body = $body; Headers = $headers }
    }

    # $WebhookData as Azure hands it to a 5.1 runbook (an object) and to a PowerShell 7 runbook (text that is not JSON).
    function ConvertTo-WebhookObject($Request) { [pscustomobject]@{ WebhookName = 'registry'; RequestBody = $Request.Body; RequestHeader = [pscustomobject]$Request.Headers } }
    function ConvertTo-WebhookText($Request) {
        $headers = ($Request.Headers.GetEnumerator() | ForEach-Object { "$($_.Key):$($_.Value)" }) -join ','
        "{WebhookName:registry,RequestBody:$($Request.Body),RequestHeader:{$headers}}"
    }

    $script:Assets = @{
        'ImageUpdater-AwsRegion'     = 'us-east-1'
        'ImageUpdater-Aws'           = [pscredential]::new($AccessKey, (ConvertTo-SecureString $SecretText -AsPlainText -Force))
        'ImageUpdater-WebhookSecret' = $HookSecret
    }
    function Get-AutomationVariable([string] $Name) { if (-not $Assets.ContainsKey($Name)) { throw "Variable asset '$Name' not found." }; $Assets[$Name] }
    function Get-AutomationPSCredential([string] $Name) { if (-not $Assets.ContainsKey($Name)) { throw "Credential asset '$Name' not found." }; $Assets[$Name] }
}

AfterAll { if ($Ecr) { $Ecr.Stop() } }

Describe 'examples/azure-automation-webhook-runbook*.ps1' -ForEach @(
    @{ Form = 'PowerShell 7'; Runbook = 'azure-automation-webhook-runbook.ps1'; AsText = $true }
    @{ Form = 'PowerShell 5.1'; Runbook = 'azure-automation-webhook-runbook-51.ps1'; AsText = $false }
) {
    BeforeAll {
        $script:Argo = Start-Argo
        $Assets['ImageUpdater-ArgoCDServer'] = $Argo.url
        $Assets['ImageUpdater-ArgoCDToken'] = [pscredential]::new('token', (ConvertTo-SecureString $Argo.tokens.'image-updater' -AsPlainText -Force))
        $script:Path = Join-Path $Examples $Runbook
        function New-WebhookData($Request) { if ($AsText) { ConvertTo-WebhookText $Request } else { ConvertTo-WebhookObject $Request } }
    }
    AfterAll { if ($Argo) { $Argo.Stop() } }

    It '<Form>: <_> is read and verified; no Application uses that image, so nothing is updated' -ForEach @('dockerhub', 'github-package', 'harbor', 'quay', 'acr', 'cloudevents') {
        $out = & $Path -WebhookData (New-WebhookData (Get-Recorded $_)) -EcrEndpointUrl $Ecr.url
        $text = $out -join "`n"

        $text | Should -Match 'Pushed: \S+'
        $text | Should -Match 'Applications 0, images 0: 0 updated'
        Get-HelmTag $Argo 'web' | Should -Be '1.0.0'
    }

    It '<Form>: the recorded EventBridge push of team/web:1.2.0 updates both Applications through Argo CD' {
        $out = & $Path -WebhookData (New-WebhookData (Get-Recorded 'ecr-eventbridge')) -EcrEndpointUrl $Ecr.url
        $text = $out -join "`n"

        $text | Should -Match ([regex]::Escape("Pushed: $EcrHost/team/web:1.2.0@sha256:"))
        $text | Should -Match 'web: \S+/team/web 1\.0\.0 -> 1\.2\.0 Updated'
        $text | Should -Match 'Applications 2, images 2: 2 updated'
        Get-HelmTag $Argo 'web' | Should -Be '1.2.0'
        Get-HelmTag $Argo 'api' | Should -Be '1.2.0'
        $text | Should -Not -Match ([regex]::Escape($SecretText))
    }

    It '<Form>: a request without the right secret fails the job before anything runs' {
        $request = Get-Recorded 'harbor'
        $request.Headers['Authorization'] = 'guess'

        { & $Path -WebhookData (New-WebhookData $request) -EcrEndpointUrl $Ecr.url } | Should -Throw '*Harbor webhook is refused*'
    }
}
