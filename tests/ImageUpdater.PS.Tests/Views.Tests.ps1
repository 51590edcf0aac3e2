# The default views as a person sees them: real objects from the cmdlets, rendered at 80 and 120 columns.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # Every header is there, and no line is wider than the terminal.
    function Assert-Fits([object[]] $Objects, [int] $Width, [string[]] $Headers) {
        $text = $Objects | Out-String -Width $Width
        foreach ($header in $Headers) { $text | Should -Match "(^|\s)$([regex]::Escape($header))(\s|$)" -Because "the $header column must be shown at $Width columns" }
        foreach ($line in $text -split '\r?\n') { $line.TrimEnd().Length | Should -BeLessOrEqual $Width -Because "'$line' must fit $Width columns" }
        return $text
    }

    $script:HostName = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    $seed = Join-Path $TestDrive 'ecr-seed.json'
    @'
{"repositories":[{"name":"team/checkout-service-with-a-long-name","images":[
  {"tags":["1.4.2"],"pushedAt":1700000100,"platforms":["linux/amd64","linux/arm64"]},
  {"tags":["1.4.7"],"pushedAt":1700000200,"platforms":["linux/amd64","linux/arm64"]}]}]}
'@ | Set-Content $seed
    $script:Emulator = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAVIEWS00000000001:views-secret')
    $script:Aws = @{ AccessKey = 'AKIAVIEWS00000000001'; SecretKey = 'views-secret'; Region = 'us-east-1'; EndpointUrl = $Emulator.url }
    $script:SavedEnvironment = @{}
    foreach ($name in 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_PROFILE') { $SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name) }
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-credentials'
    $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'no-config'
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    $env:AWS_PROFILE = $null

    $script:apps = Join-Path $TestDrive 'apps'
    $null = New-Item -ItemType Directory $apps
    @"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: checkout-frontend-production
  namespace: argocd-apps
  annotations:
    argocd-image-updater.argoproj.io/image-list: checkout=$HostName/team/checkout-service-with-a-long-name:~1.4
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/checkout.allow-tag: regexp:^1
spec:
  project: payments-platform
  source:
    repoURL: https://gitbot:views-git-token@git.example.com/gitops.git
    path: apps/checkout
    helm:
      parameters:
        - name: image.tag
          value: 1.4.2
"@ | Set-Content (Join-Path $apps 'checkout.yaml')
}

AfterAll {
    if ($Emulator) { $Emulator.Stop() }
    foreach ($name in $SavedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $SavedEnvironment[$name]) }
}

Describe 'Default views at 80 and 120 columns' {
    It 'ImageUpdateResult (Update-HelmImageTag -PassThru): Application, Image, OldTag, NewTag, Status and a short Target' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $file = Join-Path $TestDrive "values-$Width.yaml"
        "image:`n  repository: $HostName/team/checkout-service-with-a-long-name`n  tag: 1.4.2`n" | Set-Content $file
        Push-Location $TestDrive
        try {
            $result = Update-HelmImageTag -Path $file -Tag 1.4.7 -PassThru
            $text = Assert-Fits $result $Width 'Application', 'Image', 'OldTag', 'NewTag', 'Status', 'Target'
        }
        finally { Pop-Location }
        $text | Should -Match "1\.4\.2\s+1\.4\.7\s+Updated\s+values-$Width\.yaml"
        $text | Should -Not -Match ([regex]::Escape($TestDrive)) -Because 'the target is shown relative to the current folder'
        ($result | Format-List | Out-String -Width $Width) | Should -Match "Target\s+: .*values-$Width\.yaml"
    }

    It 'ArgoApplication (Get-ArgoApplication -Path): every column, Problems included' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $app = Get-ArgoApplication -Path (Join-Path $apps 'checkout.yaml')
        $text = Assert-Fits $app $Width 'Name', 'Namespace', 'Project', 'Images', 'WriteBack', 'Problems'
        $text | Should -Match 'checkout\s+git:\S*\s+1\b' -Because 'the alias typo is one problem'
        $list = $app | Format-List | Out-String -Width $Width
        $list | Should -Match 'Problems\s+: (Warning|Error): checkout\.allow-tag'
        $list | Should -Match 'Sources\s+: https://git.example.com/gitops.git apps/checkout'
        $list | Should -Not -Match 'views-git-token'
    }

    It 'ImageSpec (an application''s Images): Alias, Image, Constraint, UpdateStrategy and AllowTags' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $images = (Get-ArgoApplication -Path (Join-Path $apps 'checkout.yaml')).Images
        $text = Assert-Fits $images $Width 'Alias', 'Image', 'Constraint', 'UpdateStrategy', 'AllowTags'
        $text | Should -Match 'checkout\s+\S+\s+~1\.4\s+Semver'
    }

    It 'AnnotationDiagnostic (Test-ImageUpdaterAnnotation): Application, Severity, Key and the whole Message, wrapped' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $diagnostics = Get-ArgoApplication -Path (Join-Path $apps 'checkout.yaml') | Test-ImageUpdaterAnnotation -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $null = Assert-Fits $diagnostics $Width 'Application', 'Severity', 'Key', 'Message'
    }

    It 'ImageUpdateCandidate (Find-EcrTag): Application, Image, CurrentTag, NewTag, Update and Reason' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $candidate = Get-ArgoApplication -Path (Join-Path $apps 'checkout.yaml') | Find-EcrTag @Aws -WarningAction SilentlyContinue
        $text = Assert-Fits $candidate $Width 'Application', 'Image', 'CurrentTag', 'NewTag', 'Update', 'Reason'
        $text | Should -Match 'checkout\s+1\.4\.2\s+1\.4\.7\s+True'
        ($candidate | Format-List | Out-String -Width 200) | Should -Match "Image\s+: $([regex]::Escape($HostName))/team/checkout-service-with-a-long-name"
    }

    It 'ImageTag (Find-EcrTag -Repository): Tag, PushedAt, SizeMB, Digest and Platforms, under a Repository heading' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $tags = Find-EcrTag -Repository team/checkout-service-with-a-long-name @Aws
        $text = Assert-Fits $tags $Width 'Tag', 'PushedAt', 'SizeMB', 'Digest', 'Platforms'
        $text | Should -Match 'Repository: team/checkout-service-with-a-long-name'
        $text | Should -Match '1\.4\.7\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\d+\.\d\s+sha256:[0-9a-f]{12}'
    }

    It 'ImageTag.Platforms is the platforms in Export-Csv and a list in ConvertTo-Json' {
        $tags = Find-EcrTag -Repository team/checkout-service-with-a-long-name @Aws -Platform linux/amd64 -First 1
        $csv = Join-Path $TestDrive 'tags.csv'
        $tags | Export-Csv -Path $csv -NoTypeInformation
        (Import-Csv $csv).Platforms | Should -Be 'linux/amd64,linux/arm64'
        ($tags | ConvertTo-Json -Depth 3 | ConvertFrom-Json).Platforms | Should -Be @('linux/amd64', 'linux/arm64')
        "$($tags.Platforms)" | Should -Be 'linux/amd64 linux/arm64'
    }
}

Describe 'Enums and durations serialise for scripts' {
    It 'Status is a name in ConvertTo-Json and Export-Csv, and still an enum that compares with -eq ''Updated''' {
        $file = Join-Path $TestDrive 'values-json.yaml'
        "image:`n  tag: 1.4.2`n" | Set-Content $file
        $result = Update-HelmImageTag -Path $file -Tag 1.4.7 -PassThru
        $result.Status | Should -BeOfType [System.Enum]
        $result.Status -eq 'Updated' | Should -BeTrue
        ($result | ConvertTo-Json) | Should -Match '"Status": "Updated"'
        $csv = Join-Path $TestDrive 'results.csv'
        $result | Export-Csv -LiteralPath $csv -NoTypeInformation
        (Import-Csv -LiteralPath $csv).Status | Should -Be 'Updated'
    }

    It 'UpdateStrategy, write-back Method and Severity are names in JSON' {
        $candidate = Get-ArgoApplication -Path (Join-Path $apps 'checkout.yaml') | Find-EcrTag @Aws -WarningAction SilentlyContinue
        $json = $candidate | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue
        $json | Should -Match '"UpdateStrategy": "Semver"'
        $json | Should -Match '"Method": "Git"'
        $json | Should -Not -Match '"(UpdateStrategy|Method|Kind)": \d'
        $diagnostic = Get-ArgoApplication -Path (Join-Path $apps 'checkout.yaml') | Test-ImageUpdaterAnnotation -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Select-Object -First 1
        ($diagnostic | ConvertTo-Json) | Should -Match '"Severity": "(Warning|Error)"'
    }
}
