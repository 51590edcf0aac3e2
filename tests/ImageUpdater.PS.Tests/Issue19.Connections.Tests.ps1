# Issue 19, item 2: connection objects. Connect-ArgoCD -PassThru/-NoDefault returns a connection; the Argo CD cmdlets and
# Invoke-ImageUpdater take -Connection; the process-wide session stays the default; two connections used at once in one
# process (as Azure Automation runs several jobs in one sandbox process) do not see each other's server or token.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:data = Get-SharedDataPath
    if (-not $data) {
        if (Test-IsCI) { throw '../shared/data is missing, and under CI=true the connection tests must run.' }
        $script:skipReason = '../shared/data is absent: the Argo CD emulator serves its real Application documents.'
        return
    }

    function New-App([string] $Name) {
        @{
            apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'
            metadata   = @{ name = $Name; namespace = 'argocd'; labels = @{}; annotations = @{ 'argocd-image-updater.argoproj.io/image-list' = "web=ghcr.io/acme/${Name}:~1" } }
            spec       = @{ project = 'default'; destination = @{ name = 'in-cluster'; namespace = $Name }; source = @{ repoURL = 'https://git.example.com/gitops.git'; path = "apps/$Name"; helm = @{} } }
            status     = @{ summary = @{ images = @("ghcr.io/acme/${Name}:1.0.0") } }
        }
    }
    function Add-EmulatedApp($Server, [hashtable] $App) {
        $null = Invoke-RestMethod -Method Post -Uri "$($Server.url)__emulator/applications" -ContentType 'application/json' -Body ($App | ConvertTo-Json -Depth 20)
    }
    function Get-Requests($Server) { @((Invoke-RestMethod "$($Server.url)__emulator/requests") | ForEach-Object { $_ }) }

    $script:ArgoA = Start-Emulator argocd @('--documents', (Join-Path $data 'api-models'))
    $script:ArgoB = Start-Emulator argocd @('--documents', (Join-Path $data 'api-models'))
    Add-EmulatedApp $ArgoA (New-App 'only-in-a')
    Add-EmulatedApp $ArgoB (New-App 'only-in-b')
    $script:TokenA = ConvertTo-SecureString $ArgoA.tokens.'image-updater' -AsPlainText -Force
    $script:TokenB = ConvertTo-SecureString $ArgoB.tokens.'image-updater' -AsPlainText -Force
    $script:SavedEnv = @{ ARGOCD_SERVER = $env:ARGOCD_SERVER; ARGOCD_AUTH_TOKEN = $env:ARGOCD_AUTH_TOKEN }
    Remove-Item env:ARGOCD_SERVER, env:ARGOCD_AUTH_TOKEN -ErrorAction SilentlyContinue
    Disconnect-ArgoCD
}

AfterAll {
    Disconnect-ArgoCD
    foreach ($e in $ArgoA, $ArgoB) { if ($e) { $e.Stop() } }
    foreach ($name in 'ARGOCD_SERVER', 'ARGOCD_AUTH_TOKEN') { if ($SavedEnv -and $SavedEnv[$name]) { Set-Item "env:$name" $SavedEnv[$name] } }
}

Describe 'Argo CD connection objects' {
    BeforeEach { if ($skipReason) { Set-ItResult -Skipped -Because $skipReason } }

    It 'Connect-ArgoCD -NoDefault returns a connection and leaves the process-wide session unset' {
        $a = Connect-ArgoCD -Server $ArgoA.url -Token $TokenA -NoDefault
        $a.Server | Should -Be $ArgoA.url
        ($a | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($ArgoA.tokens.'image-updater'))
        $err = { Get-ArgoApplication -Name only-in-a } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ArgoCDNotConnected,*'
        (Get-ArgoApplication -Connection $a -Name only-in-a).Name | Should -Be 'only-in-a'
    }

    It '-Connection wins over the process-wide session, which stays the default' {
        $b = Connect-ArgoCD -Server $ArgoB.url -Token $TokenB -NoDefault
        Connect-ArgoCD -Server $ArgoA.url -Token $TokenA 6>$null
        (Get-ArgoApplication -Name only-in-a).Name | Should -Be 'only-in-a'
        (Get-ArgoApplication -Connection $b -Name only-in-b).Name | Should -Be 'only-in-b'
        (Get-ArgoApplication -Name only-in-a).Name | Should -Be 'only-in-a'
        $passThru = Connect-ArgoCD -Server $ArgoB.url -Token $TokenB -PassThru
        $passThru.Server | Should -Be $ArgoB.url
        (Get-ArgoApplication -Name only-in-b).Name | Should -Be 'only-in-b' -Because '-PassThru still sets the default'
        Disconnect-ArgoCD
    }

    It 'Invoke-ImageUpdater -Connection reads the Applications of that server only' {
        $b = Connect-ArgoCD -Server $ArgoB.url -Token $TokenB -NoDefault
        Connect-ArgoCD -Server $ArgoA.url -Token $TokenA 6>$null
        $beforeA = (Get-Requests $ArgoA).Count
        $null = Invoke-ImageUpdater -Connection $b -Name only-in-b -WhatIf -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 6>$null
        @(Get-Requests $ArgoB | Where-Object { $_.path -like '*only-in-b*' }).Count | Should -BeGreaterThan 0
        (Get-Requests $ArgoA).Count | Should -Be $beforeA -Because 'the default session is not used when -Connection is given'
        Disconnect-ArgoCD
    }

    It 'two connections used at once from parallel runspaces of one process each read only their own server' {
        $a = Connect-ArgoCD -Server $ArgoA.url -Token $TokenA -NoDefault
        $b = Connect-ArgoCD -Server $ArgoB.url -Token $TokenB -NoDefault
        $module = Get-TestModulePath
        $seen = 1..24 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:module
            $connection = if ($_ % 2) { $using:a } else { $using:b }
            $names = @(Get-ArgoApplication -Connection $connection -Name only-in-a, only-in-b -ErrorAction SilentlyContinue).Name
            # A runbook in the same process replacing the process-wide session must not change what the others read.
            if ($_ % 3 -eq 0) { Connect-ArgoCD -Server ($using:ArgoA).url -Token $using:TokenA -InformationAction Ignore }
            [pscustomobject]@{ Server = [string] $connection.Server; Names = $names -join ',' }
        }
        $seen.Count | Should -Be 24
        ($seen | Where-Object Server -EQ $ArgoA.url).Names | Sort-Object -Unique | Should -Be 'only-in-a'
        ($seen | Where-Object Server -EQ $ArgoB.url).Names | Sort-Object -Unique | Should -Be 'only-in-b'
        Disconnect-ArgoCD
    }
}
