# Issue 17, part 1: ConvertFrom-RegistryWebhook over requests recorded from each provider's published documentation
# (tests/ImageUpdater.PS.Tests/Issue17/Webhooks/*.http name their sources), as a person or a runbook sees the result.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # A recorded request: '#' source lines, headers, a blank line, the body.
    function Read-RecordedWebhook([string] $Name) {
        $lines = (Get-Content (Join-Path $PSScriptRoot "Issue17/Webhooks/$Name.http") -Raw) -replace "`r`n", "`n" -split "`n"
        $i = 0
        while ($lines[$i].StartsWith('#')) { $i++ }
        $headers = [ordered]@{}
        for (; $lines[$i].Length -gt 0; $i++) {
            $name, $value = $lines[$i] -split ':', 2
            $headers[$name] = $value.Trim()
        }
        [pscustomobject]@{ Headers = $headers; Body = ($lines[($i + 1)..($lines.Count - 1)] -join "`n") }
    }

    function Get-Signature([string] $Secret, [string] $Body) {
        $hmac = [System.Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($Secret))
        'sha256=' + (($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($Body)) | ForEach-Object { $_.ToString('x2') }) -join '')
    }
}

Describe 'ConvertFrom-RegistryWebhook: one recorded push per provider' {
    It '<File> → <Image>' -ForEach @(
        @{ File = 'dockerhub'; Provider = 'DockerHub'; Image = 'docker.io/svendowideit/testhook:latest' }
        @{ File = 'github-package'; Provider = 'GitHub'; Image = 'ghcr.io/codertocat/hello-world:1.4.0@sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b' }
        @{ File = 'github-registry-package'; Provider = 'GitHub'; Image = 'ghcr.io/codertocat/hello-world-npm@sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b' }
        @{ File = 'harbor'; Provider = 'Harbor'; Image = 'hub.harbor.com/test-webhook/debian:latest@sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8' }
        @{ File = 'quay'; Provider = 'Quay'; Image = 'quay.io/mynamespace/repository:latest' }
        @{ File = 'acr'; Provider = 'AzureContainerRegistry'; Image = 'myregistry.azurecr.io/hello-world:v1@sha256:0000d5c8786bb9e621a45ece0db00001cdc624ad20da9fe62e9d25490f330000' }
        @{ File = 'ecr-eventbridge'; Provider = 'AmazonEcr'; Image = '123456789012.dkr.ecr.us-west-2.amazonaws.com/my-repository-name:latest@sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234' }
        @{ File = 'cloudevents'; Provider = 'CloudEvents'; Image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:v1.2.3@sha256:abcdef1234567890abcdef1234567890abcdef1234567890abcdef1234567890' }
    ) {
        $request = Read-RecordedWebhook $File

        $events = @(ConvertFrom-RegistryWebhook -Body $request.Body -Header $request.Headers -ErrorAction Stop)

        $events.Count | Should -Be 1
        $events[0].pstypenames | Should -Contain 'ImageUpdater.RegistryEvent'
        [string] $events[0].Provider | Should -Be $Provider
        $events[0].Image | Should -Be $Image
    }

    It 'gives the push time the provider sends, in UTC (Docker Hub: Unix seconds)' {
        $request = Read-RecordedWebhook dockerhub

        $e = ConvertFrom-RegistryWebhook -Body $request.Body -Header $request.Headers

        $e.PushedAt.UtcDateTime | Should -Be ([datetime]::new(2014, 12, 3, 0, 22, 41, [DateTimeKind]::Utc))
        $e.Tag | Should -Be 'latest'
        $e.Digest | Should -BeNullOrEmpty
    }

    It 'shows an 80-column table and writes enum names in JSON' {
        $events = foreach ($file in 'harbor', 'acr', 'cloudevents') { $r = Read-RecordedWebhook $file; ConvertFrom-RegistryWebhook -Body $r.Body -Header $r.Headers }

        $text = $events | Out-String -Width 80
        foreach ($header in 'Provider', 'PushedAt', 'Tag', 'Repository') { $text | Should -Match "(^|\s)$header(\s|$)" }
        foreach ($line in $text -split '\r?\n') { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $text | Should -Match 'ACR\s+2017-11-17'
        ($events[0] | ConvertTo-Json -Compress) | Should -Match '"Provider":"Harbor"'
    }
}

Describe 'ConvertFrom-RegistryWebhook: Azure Automation $WebhookData' {
    It 'reads the object a PowerShell 5.1 runbook gets (RequestHeader a PSCustomObject)' {
        $request = Read-RecordedWebhook quay
        $webhookData = [pscustomobject]@{ WebhookName = 'quay-push'; RequestBody = $request.Body; RequestHeader = [pscustomobject]$request.Headers }

        $e = $webhookData | ConvertFrom-RegistryWebhook

        $e.Image | Should -Be 'quay.io/mynamespace/repository:latest'
        $e.WebhookName | Should -Be 'quay-push'
    }

    It 'reads the text a PowerShell 7 runbook gets, which is not valid JSON' {
        $request = Read-RecordedWebhook ecr-eventbridge
        $body = $request.Body | ConvertFrom-Json | ConvertTo-Json -Depth 10 -Compress
        $text = "{WebhookName:ecr-push,RequestBody:$body,RequestHeader:{Connection:Keep-Alive,Content-Type:application/json; charset=utf-8,Host:abc.webhook.we.azure-automation.net,User-Agent:Amazon/EventBridge/ApiDestinations,X-Webhook-Secret:ecr-hook-secret,x-ms-request-id:5e7f41bd-3443-4ecb-ba6d-6b81109280d0}}"
        { $text | ConvertFrom-Json } | Should -Throw

        $e = ConvertFrom-RegistryWebhook -WebhookData $text -Secret 'ecr-hook-secret' -ErrorAction Stop

        $e.Image | Should -Be '123456789012.dkr.ecr.us-west-2.amazonaws.com/my-repository-name:latest@sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234'
        $e.WebhookName | Should -Be 'ecr-push'
    }

    It 'reads the JSON text form (the portal test pane, a 5.1 runbook started by hand)' {
        $request = Read-RecordedWebhook acr
        $text = @{ WebhookName = 'acr'; RequestBody = $request.Body; RequestHeader = @{ Authorization = 'Bearer acr-hook-secret' } } | ConvertTo-Json -Compress

        (ConvertFrom-RegistryWebhook $text -Secret 'acr-hook-secret').Tag | Should -Be 'v1'
    }

    It 'says what it expected when the object is not $WebhookData' {
        $events = @(ConvertFrom-RegistryWebhook -WebhookData @{ Name = 'x' } -ErrorVariable failures -ErrorAction SilentlyContinue)

        $events.Count | Should -Be 0
        $failures[0].FullyQualifiedErrorId | Should -Match '^WebhookDataInvalid'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].Exception.Message | Should -Match 'RequestBody'
    }
}

Describe 'ConvertFrom-RegistryWebhook: -Secret' {
    It 'passes a GitHub push signed with the secret' {
        $request = Read-RecordedWebhook github-package
        $request.Headers['X-Hub-Signature-256'] = Get-Signature 'gh-hook-secret' $request.Body

        (ConvertFrom-RegistryWebhook -Body $request.Body -Header $request.Headers -Secret 'gh-hook-secret').Tag | Should -Be '1.4.0'
    }

    It 'refuses a bad GitHub signature: a SecurityError, no event, the secret nowhere in the error' {
        $request = Read-RecordedWebhook github-package
        $request.Headers['X-Hub-Signature-256'] = Get-Signature 'forger' $request.Body
        $secret = ConvertTo-SecureString 'gh-hook-secret' -AsPlainText -Force

        $events = @(ConvertFrom-RegistryWebhook -Body $request.Body -Header $request.Headers -Secret $secret -ErrorVariable failures -ErrorAction SilentlyContinue)

        $events.Count | Should -Be 0
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Match '^WebhookSecretMismatch'
        $failures[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $failures[0].Exception.Message | Should -Match 'X-Hub-Signature-256'
        ($failures | Out-String) + ($failures[0].Exception | Format-List * -Force | Out-String) | Should -Not -Match 'gh-hook-secret'
    }

    It 'refuses a Harbor call whose Authorization header is not the secret, and one with none' {
        $request = Read-RecordedWebhook harbor
        $request.Headers['Authorization'] = 'wrong'

        { ConvertFrom-RegistryWebhook -Body $request.Body -Header $request.Headers -Secret 'harbor-auth' -ErrorAction Stop } | Should -Throw '*Harbor webhook is refused*'
        $request.Headers.Remove('Authorization')
        { ConvertFrom-RegistryWebhook -Body $request.Body -Header $request.Headers -Secret 'harbor-auth' -ErrorAction Stop } | Should -Throw '*does not carry an Authorization or X-Webhook-Secret header*'
    }

    It 'reads a shared secret from the ?secret= of -Uri (Docker Hub, Quay)' {
        $request = Read-RecordedWebhook dockerhub

        (ConvertFrom-RegistryWebhook -Body $request.Body -Uri 'https://hooks.example.com/dockerhub?secret=hub-secret' -Secret 'hub-secret').Tag | Should -Be 'latest'
        @(ConvertFrom-RegistryWebhook -Body $request.Body -Uri 'https://hooks.example.com/dockerhub?secret=guess' -Secret 'hub-secret' -ErrorAction SilentlyContinue).Count | Should -Be 0
    }
}

Describe 'ConvertFrom-RegistryWebhook: malformed and unknown requests' {
    It '<Case>: <Id>, nothing written' -ForEach @(
        @{ Case = 'not JSON'; Body = 'push!'; Id = 'WebhookPayloadInvalid'; Says = 'not JSON' }
        @{ Case = 'JSON of no registry'; Body = '{"hello":"world"}'; Id = 'WebhookProviderUnknown'; Says = 'expected a push from Docker Hub' }
        @{ Case = 'a Harbor pull'; Body = '{"type":"PULL_ARTIFACT","event_data":{}}'; Id = 'WebhookEventNotPush'; Says = 'PULL_ARTIFACT' }
        @{ Case = 'a repository path escaping'; Body = '{"push_data":{"tag":"1"},"repository":{"repo_name":"a/../../b"}}'; Id = 'WebhookPayloadInvalid'; Says = 'not an OCI repository path' }
        @{ Case = 'a Quay push missing its tags'; Body = '{"docker_url":"quay.io/a/b"}'; Id = 'WebhookPayloadInvalid'; Says = 'updated_tags' }
    ) {
        $events = @(ConvertFrom-RegistryWebhook -Body $Body -ErrorVariable failures -ErrorAction SilentlyContinue)

        $events.Count | Should -Be 0
        $failures[0].FullyQualifiedErrorId | Should -Match "^$Id"
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $failures[0].Exception.Message | Should -BeLike "*$Says*"
    }

    It 'goes on with the next request after a bad one' {
        $good = Read-RecordedWebhook quay
        $inputs = @('{WebhookName:x,RequestBody:nope,RequestHeader:{}}', [pscustomobject]@{ WebhookName = 'q'; RequestBody = $good.Body; RequestHeader = @{} })

        $events = @($inputs | ConvertFrom-RegistryWebhook -ErrorVariable failures -ErrorAction SilentlyContinue)

        $events.Image | Should -Be 'quay.io/mynamespace/repository:latest'
        $failures.Count | Should -Be 1
    }
}
