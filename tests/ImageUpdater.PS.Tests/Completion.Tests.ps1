# Argument completers, through TabExpansion2 as the console calls them: -UpdateStrategy, Argo CD application -Name, ECR -Repository.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}

Describe '-UpdateStrategy completion' {
    It 'every cmdlet with -UpdateStrategy completes the four strategy names, with what each picks' {
        $commands = Get-Command -Module ImageUpdater.PS | Where-Object { $_.Parameters -and $_.Parameters.ContainsKey('UpdateStrategy') }
        $commands.Name | Should -Contain 'Find-EcrTag'
        $commands.Name | Should -Contain 'Test-ImageUpdate'
        foreach ($command in $commands) {
            $all = Get-Completion "$($command.Name) -UpdateStrategy "
            $all.CompletionText | Should -Be @('semver', 'newest-build', 'alphabetical', 'digest') -Because $command.Name
            $all[1].ToolTip | Should -Match 'most recently built' -Because $command.Name
            (Get-Completion "$($command.Name) -UpdateStrategy N").CompletionText | Should -Be 'newest-build' -Because $command.Name
        }
    }

    It 'completes a quoted word too' {
        (Get-Completion "Find-ImageTag nginx -UpdateStrategy 'di").CompletionText | Should -Be "'digest'"
    }
}

Describe 'Get-ArgoApplication -Name completion from the connected Argo CD server' {
    BeforeAll {
        $apps = foreach ($app in @(@('web-frontend', 'shop'), @('web-api', 'shop'), @('billing', 'finance'))) {
            @{
                metadata = @{ name = $app[0]; namespace = 'argocd' }
                spec     = @{ project = $app[1]; source = @{ repoURL = 'https://git.example.com/gitops.git'; path = "apps/$($app[0])" }; destination = @{ name = 'in-cluster'; namespace = $app[0] } }
            }
        }
        $seed = Join-Path $TestDrive 'apps.json'
        ConvertTo-Json @($apps) -Depth 10 | Set-Content $seed
        $script:Argo = Start-Emulator argocd @('--seed', $seed)
        $script:SavedEnv = @{ ARGOCD_SERVER = $env:ARGOCD_SERVER; ARGOCD_AUTH_TOKEN = $env:ARGOCD_AUTH_TOKEN }
        $env:ARGOCD_SERVER = $null; $env:ARGOCD_AUTH_TOKEN = $null
        Connect-ArgoCD -Server $Argo.url -Token (ConvertTo-SecureString $Argo.tokens.'image-updater' -AsPlainText -Force) 6>$null
    }
    AfterAll {
        Disconnect-ArgoCD
        if ($Argo) { $Argo.Stop() }
        $env:ARGOCD_SERVER = $SavedEnv.ARGOCD_SERVER; $env:ARGOCD_AUTH_TOKEN = $SavedEnv.ARGOCD_AUTH_TOKEN
    }

    It 'lists the server''s applications that start with the typed word, with their project' {
        $matches = Get-Completion 'Get-ArgoApplication -Name web'
        $matches.CompletionText | Should -Be @('web-api', 'web-frontend')
        $matches[0].ToolTip | Should -Be 'web-api (project shop)'
        (Get-Completion 'Get-ArgoApplication -Name ').CompletionText | Should -Be @('billing', 'web-api', 'web-frontend')
    }

    It '-Project lists the projects that hold the server''s applications' {
        (Get-Completion 'Get-ArgoApplication -Project ').CompletionText | Should -Be @('finance', 'shop')
        $shop = Get-Completion 'Invoke-ImageUpdater -Project s'
        $shop.CompletionText | Should -Be 'shop'
        $shop[0].ToolTip | Should -Be 'project shop (2 application(s))'
    }

    It 'keeps to -Project when it is given' {
        (Get-Completion 'Get-ArgoApplication -Project finance -Name ').CompletionText | Should -Be 'billing'
    }

    It 'offers nothing, quietly, when not connected or reading files' {
        (Get-Completion 'Get-ArgoApplication -Path ./apps -Name ').CompletionText | Where-Object { $_ -like 'web*' } | Should -BeNullOrEmpty
        Disconnect-ArgoCD
        try {
            $Error.Clear()
            (Get-Completion 'Get-ArgoApplication -Name web').CompletionText | Where-Object { $_ -like 'web-*' } | Should -BeNullOrEmpty
            $Error.Count | Should -Be 0
        }
        finally {
            Connect-ArgoCD -Server $Argo.url -Token (ConvertTo-SecureString $Argo.tokens.'image-updater' -AsPlainText -Force) 6>$null
        }
    }
}

Describe 'Find-EcrTag -Repository completion (DescribeRepositories)' {
    BeforeAll {
        $seed = Join-Path $TestDrive 'ecr-seed.json'
        '{"repositories":[{"name":"team/app","images":[{"tags":["1.0.0"]}]},{"name":"team/api","images":[]},{"name":"other/tool","images":[]}]}' | Set-Content $seed
        $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIACOMPLETE00000001:complete-secret')
        $script:AwsVariables = 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED'
        $script:SavedAws = @{}
        foreach ($name in $AwsVariables) { $SavedAws[$name] = [Environment]::GetEnvironmentVariable($name) }
        $env:AWS_ACCESS_KEY_ID = 'AKIACOMPLETE00000001'; $env:AWS_SECRET_ACCESS_KEY = 'complete-secret'; $env:AWS_SESSION_TOKEN = $null; $env:AWS_PROFILE = $null
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-credentials'; $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'no-config'; $env:AWS_EC2_METADATA_DISABLED = 'true'
    }
    AfterAll {
        if ($Ecr) { $Ecr.Stop() }
        foreach ($name in $AwsVariables) { [Environment]::SetEnvironmentVariable($name, $SavedAws[$name]) }
    }

    It 'lists the repositories of the registry that start with the typed word, with their URI' {
        $matches = Get-Completion "Find-EcrTag -EndpointUrl $($Ecr.url) -Region us-east-1 -Repository team/"
        $matches.CompletionText | Should -Be @('team/api', 'team/app')
        $matches[1].ToolTip | Should -Be '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app'
        (Get-Completion "Find-EcrTag -EndpointUrl $($Ecr.url) -Region us-east-1 -RepositoryName ").CompletionText | Should -Be @('other/tool', 'team/api', 'team/app')
    }

    It 'uses the typed -AccessKey and -ProfileName-free credentials, and offers nothing when they are refused' {
        (Get-Completion "Find-EcrTag -EndpointUrl $($Ecr.url) -Region us-east-1 -AccessKey AKIAUNKNOWN000000001 -Repository team/").CompletionText |
            Where-Object { $_ -like 'team/*' } | Should -BeNullOrEmpty
    }
}

Describe '-Region, -ProfileName, -Platform, -Shard and -Context completion' {
    BeforeAll {
        $script:SavedFiles = @{ AWS_CONFIG_FILE = $env:AWS_CONFIG_FILE; AWS_SHARED_CREDENTIALS_FILE = $env:AWS_SHARED_CREDENTIALS_FILE; KUBECONFIG = $env:KUBECONFIG }
        $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'aws-config'
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'aws-credentials'
        "[default]`nregion = eu-west-1`n`n[profile prod-admin]`nregion = us-east-1`n`n[sso-session corp]`nsso_start_url = https://example.awsapps.com/start`n" | Set-Content $env:AWS_CONFIG_FILE
        "[ci-bot]`naws_access_key_id = AKIAEXAMPLE`naws_secret_access_key = x`n" | Set-Content $env:AWS_SHARED_CREDENTIALS_FILE
        "[other-file]`naws_access_key_id = AKIAEXAMPLE`naws_secret_access_key = x`n" | Set-Content (Join-Path $TestDrive 'other-credentials')
        $script:Kubeconfig = Join-Path $TestDrive 'kubeconfig'
        @'
apiVersion: v1
kind: Config
current-context: prod
contexts:
  - name: staging
    context: { cluster: staging, user: admin, namespace: gitops }
  - name: prod
    context: { cluster: prod, user: admin, namespace: argocd-prod }
clusters: []
users: []
'@ | Set-Content $Kubeconfig
    }
    AfterAll {
        foreach ($name in $SavedFiles.Keys) { [Environment]::SetEnvironmentVariable($name, $SavedFiles[$name]) }
    }

    It '-Region lists the regions of every AWS partition, with their names' {
        $all = Get-Completion 'Find-EcrTag team/app -Region '
        $all.CompletionText | Should -Contain 'us-east-1'
        $all.CompletionText | Should -Contain 'cn-north-1'
        $all.CompletionText | Should -Contain 'us-gov-west-1'
        (Get-Completion 'Invoke-ImageUpdater -Region ap-northeast-').CompletionText | Should -Contain 'ap-northeast-1'
        (Get-Completion 'Get-EcrAuthorizationToken -Region eu-west-1').ToolTip | Should -Match 'eu-west-1: .*Ireland'
    }

    It '-ProfileName lists the profiles of the shared config and credentials files, and of -ProfileLocation' {
        (Get-Completion 'Find-EcrTag team/app -ProfileName ').CompletionText | Should -Be @('ci-bot', 'default', 'prod-admin')
        (Get-Completion 'Find-EcrTag team/app -ProfileName pr').CompletionText | Should -Be 'prod-admin'
        (Get-Completion "Find-EcrTag team/app -ProfileLocation $(Join-Path $TestDrive 'other-credentials') -ProfileName o").CompletionText | Should -Be 'other-file'
    }

    It '-Platform lists common platforms on every cmdlet that has it' {
        foreach ($name in 'Find-EcrTag', 'Find-ImageTag', 'Test-ImageUpdate') {
            $all = (Get-Completion "$name x -Platform linux/arm").CompletionText
            $all | Should -Contain 'linux/arm64' -Because $name
            $all | Should -Contain 'linux/arm/v7' -Because $name
            $all | Should -Not -Contain 'linux/amd64' -Because $name
        }
    }

    It '-Shard offers i/n values, every shard of n once n is typed' {
        (Get-Completion 'Invoke-ImageUpdater -Shard ').CompletionText | Should -Contain '1/2'
        (Get-Completion 'Invoke-ImageUpdater -Shard /4').CompletionText | Should -Be @('0/4', '1/4', '2/4', '3/4')
        (Get-Completion 'Invoke-ImageUpdater -Shard 1').CompletionText | Should -Be @('1/2', '1/3', '1/4')
    }

    It '-Namespace lists the namespaces the kubeconfig''s contexts name, -Context''s first, then argocd' {
        (Get-Completion "Get-ArgoApplication -Kubeconfig $Kubeconfig -Namespace ").CompletionText | Should -Be @('argocd-prod', 'gitops', 'argocd')
        (Get-Completion "Invoke-ImageUpdater -Kubeconfig $Kubeconfig -Context staging -Namespace ").CompletionText | Should -Be @('gitops', 'argocd-prod', 'argocd')
        (Get-Completion "Get-ArgoApplication -Kubeconfig $Kubeconfig -Namespace arg").CompletionText | Should -Be @('argocd-prod', 'argocd')
    }

    It '-Context lists the contexts of -Kubeconfig, else KUBECONFIG, the current one first' {
        (Get-Completion "Get-ArgoApplication -Kubeconfig $Kubeconfig -Context ").CompletionText | Should -Be @('prod', 'staging')
        (Get-Completion "Invoke-ImageUpdater -Kubeconfig $Kubeconfig -Context st").CompletionText | Should -Be 'staging'
        $env:KUBECONFIG = $Kubeconfig
        (Get-Completion 'Find-ImageTag nginx -Context ').CompletionText | Should -Be @('prod', 'staging')
    }
}
