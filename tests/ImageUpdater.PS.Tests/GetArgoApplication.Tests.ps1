BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    function New-Manifest([string] $Path, [string] $Name, [hashtable] $Annotations = @{}, [string] $Extra = '') {
        $lines = @('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', "  name: $Name", '  namespace: argocd')
        if ($Annotations.Count) {
            $lines += '  annotations:'
            foreach ($k in $Annotations.Keys | Sort-Object) { $lines += "    argocd-image-updater.argoproj.io/${k}: '$($Annotations[$k])'" }
        }
        $lines += 'spec:', '  project: shop', '  source:', '    repoURL: https://git.example.com/gitops.git', '    path: apps/web', '    targetRevision: main', '    helm: {}'
        if ($Extra) { $lines += $Extra }
        Set-Content -Path $Path -Value ($lines -join "`n")
    }
}

Describe 'Get-ArgoApplication -Path' {
    BeforeAll {
        $apps = Join-Path $TestDrive 'apps'
        $null = New-Item -ItemType Directory (Join-Path $apps 'nested') -Force
        New-Manifest (Join-Path $apps 'web.yaml') 'web' @{ 'image-list' = 'web=ghcr.io/acme/web:~1.4'; 'web.update-strategy' = 'semver'; 'write-back-method' = 'git'; 'write-back-target' = 'helmvalues:values.yaml'; 'git.branch' = 'main' }
        New-Manifest (Join-Path $apps 'nested/api.yml') 'api' @{ 'image-list' = 'api=123456789012.dkr.ecr.eu-west-1.amazonaws.com/api' }
        Set-Content (Join-Path $apps 'notes.txt') 'not yaml, not read'
        Set-Content (Join-Path $apps 'configmap.yaml') "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: cm`n"
    }

    It 'reads a folder, ignoring other kinds and non-YAML files' {
        $result = @(Get-ArgoApplication -Path $apps)
        $result.Name | Should -Be @('web')
        $result[0].PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ArgoApplication'
        $result[0].Project | Should -Be 'shop'
        $result[0].Images[0].Constraint | Should -Be '~1.4'
        $result[0].WriteBack.Method | Should -Be 'Git'
        $result[0].WriteBack.Target.Path | Should -Be 'values.yaml'
        $result[0].Origin | Should -Be (Join-Path $apps 'web.yaml')
    }

    It 'reads subfolders with -Recurse and filters names with wildcards' {
        (Get-ArgoApplication -Path $apps -Recurse).Name | Sort-Object | Should -Be @('api', 'web')
        (Get-ArgoApplication -Path $apps -Recurse -Name 'a*').Name | Should -Be 'api'
    }

    It 'takes files from the pipeline' {
        (Get-ChildItem $apps -Recurse -Filter '*.y*ml' | Get-ArgoApplication).Name | Sort-Object | Should -Be @('api', 'web')
    }

    It 'reports a file that is not valid YAML with file, line and column, and still reads the others' {
        $dir = Join-Path $TestDrive 'mixed'
        $null = New-Item -ItemType Directory $dir
        New-Manifest (Join-Path $dir 'a-good.yaml') 'good' @{ 'image-list' = 'x=nginx' }
        Set-Content (Join-Path $dir 'b-bad.yaml') "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata:`n  name: [oops`n"
        New-Manifest (Join-Path $dir 'c-good.yaml') 'good2' @{ 'image-list' = 'x=nginx' }
        $result = Get-ArgoApplication -Path $dir -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Name | Should -Be @('good', 'good2')
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidYaml,*'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape((Join-Path $dir 'b-bad.yaml')) + ':\d+:\d+: ')
    }

    It 'reads many files on every core but emits them in file order, with each broken file reported' {
        $many = Join-Path $TestDrive 'many'
        $null = New-Item -ItemType Directory $many
        foreach ($i in 0..59) { New-Manifest (Join-Path $many ('app-{0:D2}.yaml' -f $i)) ('app-{0:D2}' -f $i) @{ 'image-list' = "web=ghcr.io/acme/web-${i}" } }
        Set-Content (Join-Path $many 'app-30-broken.yaml') "kind: Application`nmetadata: [unclosed"
        $result = @(Get-ArgoApplication -Path $many -ErrorAction SilentlyContinue -ErrorVariable errs)
        $result.Name | Should -Be @(0..59 | ForEach-Object { 'app-{0:D2}' -f $_ })
        $result[42].Images[0].Image | Should -Be 'ghcr.io/acme/web-42'
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].Exception.Message | Should -Match 'app-30-broken\.yaml:\d+:\d+: not valid YAML'
    }

    It 'reports a missing path as ObjectNotFound' {
        Get-ArgoApplication -Path (Join-Path $TestDrive 'nope') -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses a deeply nested file and an alias bomb alone, quickly, as InvalidData naming the file' {
        $dir = Join-Path $TestDrive 'bombs'
        $null = New-Item -ItemType Directory $dir
        New-Manifest (Join-Path $dir 'a-good.yaml') 'good' @{ 'image-list' = 'x=nginx' }
        # 10 000 nested '[' used to overflow the stack and kill pwsh; 9^8 aliases took 65 s and 8 GB.
        Set-Content (Join-Path $dir 'b-deep.yaml') ("apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata:`n  name: deep`nspec: " + ('[' * 10000))
        $bomb = @('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: bomb', 'x0: &a0 [lol]')
        foreach ($i in 1..8) { $bomb += "x${i}: &a$i [" + ((1..9 | ForEach-Object { "*a$($i - 1)" }) -join ', ') + ']' }
        Set-Content (Join-Path $dir 'c-bomb.yaml') ($bomb -join "`n")
        New-Manifest (Join-Path $dir 'd-good.yaml') 'good2' @{ 'image-list' = 'x=nginx' }

        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $result = Get-ArgoApplication -Path $dir -ErrorVariable errs -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        $result.Name | Should -Be @('good', 'good2')
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'InvalidData' }
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'YamlTooDeep,*'
        $errs[0].TargetObject | Should -Be (Join-Path $dir 'b-deep.yaml')
        $errs[1].FullyQualifiedErrorId | Should -BeLike 'YamlAliasBomb,*'
        $errs[1].Exception.Message | Should -Match ([regex]::Escape((Join-Path $dir 'c-bomb.yaml')))
    }

    It 'refuses an Application name that is not a Kubernetes name, so that it never reaches a path' {
        $dir = Join-Path $TestDrive 'names'
        $null = New-Item -ItemType Directory $dir
        New-Manifest (Join-Path $dir 'evil.yaml') 'x/../../../.github/workflows/evil' @{ 'image-list' = 'x=nginx'; 'write-back-method' = 'git' }
        New-Manifest (Join-Path $dir 'ok.yaml') 'ok' @{ 'image-list' = 'x=nginx' }
        $result = Get-ArgoApplication -Path $dir -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Name | Should -Be 'ok'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ApplicationNameInvalid,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].Exception.Message | Should -Match 'not a valid Kubernetes name'
        $errs[0].Exception.Message | Should -Match ([regex]::Escape((Join-Path $dir 'evil.yaml')))
    }

    It 'says why nothing came back' {
        $empty = Join-Path $TestDrive 'empty'
        $null = New-Item -ItemType Directory (Join-Path $empty 'sub') -Force
        New-Manifest (Join-Path $empty 'sub/app.yaml') 'deep-app'
        Get-ArgoApplication -Path $empty -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Be "No Applications under '$empty'. Subfolders are not read without -Recurse."

        Get-ArgoApplication -Path $apps -Name 'zz*' -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$($warnings[0])" | Should -Be "None of the 1 Application(s) under '$apps' matched name 'zz*'."

        $null = Get-ArgoApplication -Path $apps -WarningVariable warnings
        $warnings.Count | Should -Be 0
    }

    It 'shows a default table view' {
        $text = Get-ArgoApplication -Path $apps | Out-String
        $text | Should -Match 'Name\s+Namespace\s+Project\s+Images\s+WriteBack'
        $text | Should -Match 'web\s+argocd\s+shop\s+web\s+git'
    }

    It 'reads every manifest of the shared corpus' {
        $shared = Get-SharedDataPath
        if (-not $shared) {
            if (Test-IsCI) { throw '../shared/data is missing under CI=true.' }
            Set-ItResult -Skipped -Because '../shared/data is absent'
            return
        }
        $result = Get-ArgoApplication -Path (Join-Path $shared 'real-world') -ErrorVariable errs
        $errs.Count | Should -Be 0
        $result.Count | Should -Be 11
        ($result | Where-Object Name -EQ '3-tier-app').Images.Alias | Should -Be @('frontend', 'backend')
    }
}

Describe 'Test-ImageUpdaterAnnotation' {
    BeforeAll {
        $lint = Join-Path $TestDrive 'lint'
        $null = New-Item -ItemType Directory $lint
        New-Manifest (Join-Path $lint 'clean.yaml') 'clean' @{ 'image-list' = 'web=ghcr.io/acme/web' }
        New-Manifest (Join-Path $lint 'broken.yaml') 'broken' @{
            'image-list'          = 'web=ghcr.io/acme/web'
            'web.update-strategy' = 'newest'
            'api.allow-tags'      = 'regexp:^v'
            'write-back-method'   = 'git'
            'write-back-target'   = 'helmvalues:../../../etc/values.yaml'
            'web.allow-tags'      = 'regexp:^v[0-9+$'
        }
        New-Manifest (Join-Path $lint 'warn.yaml') 'warn' @{ 'image-list' = 'web=ghcr.io/acme/web'; 'update-strategy' = 'latest' }
    }

    It 'emits nothing and no error for clean annotations' {
        $result = Get-ArgoApplication -Path (Join-Path $lint 'clean.yaml') | Test-ImageUpdaterAnnotation -ErrorVariable errs
        $result | Should -BeNullOrEmpty
        $errs.Count | Should -Be 0
        $? | Should -BeTrue
    }

    It 'lists every problem, and each error is also a non-terminating error' {
        $result = Get-ArgoApplication -Path (Join-Path $lint 'broken.yaml') | Test-ImageUpdaterAnnotation -ErrorVariable errs -ErrorAction SilentlyContinue
        $result | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ImageUpdater.AnnotationDiagnostic' }
        $result.Key | Sort-Object | Should -Be @('api.allow-tags', 'web.allow-tags', 'web.update-strategy', 'write-back-target')
        $result | ForEach-Object { $_.Severity | Should -Be 'Error' }
        $errs.Count | Should -Be 4
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        ($result | Where-Object Key -EQ 'web.update-strategy').Message | Should -Match 'falls back to semver'
    }

    It 'stops a CI job with -ErrorAction Stop' {
        { Test-ImageUpdaterAnnotation -Path $lint -ErrorAction Stop } | Should -Throw '*broken*'
    }

    It 'reports warnings without an error, and hides them with -ErrorsOnly' {
        $result = Test-ImageUpdaterAnnotation -Path (Join-Path $lint 'warn.yaml') -ErrorVariable errs
        $result.Severity | Should -Be 'Warning'
        $errs.Count | Should -Be 0
        Test-ImageUpdaterAnnotation -Path (Join-Path $lint 'warn.yaml') -ErrorsOnly | Should -BeNullOrEmpty
    }

    It 'reports a missing -Path as a non-terminating ObjectNotFound error and checks the other paths' {
        $result = Test-ImageUpdaterAnnotation -Path (Join-Path $TestDrive 'nope'), (Join-Path $lint 'warn.yaml') -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Application | Should -Be 'warn'
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
    }

    It 'reads subfolders only with -Recurse, as Get-ArgoApplication does' {
        $tree = Join-Path $TestDrive 'lint-tree'
        $null = New-Item -ItemType Directory (Join-Path $tree 'team') -Force
        New-Manifest (Join-Path $tree 'team/warn.yaml') 'team-warn' @{ 'image-list' = 'web=ghcr.io/acme/web'; 'update-strategy' = 'latest' }
        Test-ImageUpdaterAnnotation -Path $tree -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        (Test-ImageUpdaterAnnotation -Path $tree -Recurse).Application | Should -Be 'team-warn'
    }

    It 'shows a default table view' {
        $text = Test-ImageUpdaterAnnotation -Path (Join-Path $lint 'warn.yaml') | Out-String
        $text | Should -Match 'Application\s+Severity\s+Key\s+Message'
    }
}
