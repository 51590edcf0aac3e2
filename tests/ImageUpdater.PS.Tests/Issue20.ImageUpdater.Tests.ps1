# Issue 20: Argo CD Image Updater v1 ImageUpdater resources — read from files and the Kubernetes emulator, applied to
# Applications as upstream matches and merges them, and run through the same engine as annotations.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:Upstream = Join-Path (Get-RepositoryRoot) 'tests/Upstream/ImageUpdaterCrd'

    # An Application manifest; $Annotations are keys without the prefix.
    function New-AppYaml([string] $Name, [hashtable] $Labels = @{}, [hashtable] $Annotations = @{}, [string] $RepoUrl = 'https://git.example.com/gitops.git', [string] $Namespace = 'argocd') {
        $lines = @('apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', "  name: $Name", "  namespace: $Namespace")
        if ($Labels.Count) { $lines += '  labels:'; foreach ($k in $Labels.Keys | Sort-Object) { $lines += "    ${k}: '$($Labels[$k])'" } }
        if ($Annotations.Count) { $lines += '  annotations:'; foreach ($k in $Annotations.Keys | Sort-Object) { $lines += "    argocd-image-updater.argoproj.io/${k}: '$($Annotations[$k])'" } }
        $lines += @('spec:', '  project: shop', '  source:', "    repoURL: $RepoUrl", "    path: apps/$Name", '    targetRevision: main', '    helm: {}')
        ($lines -join "`n") + "`n"
    }
}

Describe 'Get-ArgoImageUpdater -Path' {
    It 'reads every upstream sample (multi-document files, other kinds skipped) as typed objects' {
        $all = Get-ArgoImageUpdater -Path $Upstream
        $all.Count | Should -Be 7
        $all[0].PSObject.TypeNames[0] | Should -Be 'ImageUpdater.ImageUpdaterResource'
        $sample = $all | Where-Object Name -EQ 'argocd-image-updater-sample'
        $sample.Namespace | Should -Be 'argocd'
        $sample.ApplicationRefs.NamePattern | Should -Be @('*', 'app-001', 'app-002', 'app-*', 'app-003')
        $sample.CommonUpdateSettings.IgnoreTags | Should -Be @('latest', 'master')
        (Get-ArgoImageUpdater -Path $Upstream -Name '*-short*').Name | Should -Be @('argocd-image-updater-sample-short', 'argocd-image-updater-sample-short-1')
    }

    It 'has a default view that fits 80 columns' {
        $text = Get-ArgoImageUpdater -Path $Upstream | Out-String -Width 80
        foreach ($header in 'Name', 'Namespace', 'Refs', 'NamePatterns', 'Images', 'WriteBack') { $text | Should -Match "(^|\s)$header(\s|$)" }
        foreach ($line in $text -split '\r?\n') { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
        (Get-ArgoImageUpdater -Path $Upstream -Name 'multi-app-image-updater' | Format-List | Out-String) | Should -Match 'production-app: nginx=nginx:1.20'
    }

    It 'reports a refused document with the file and field, and a missing path as ObjectNotFound' {
        $bad = Join-Path $TestDrive 'bad.yaml'
        "apiVersion: argocd-image-updater.argoproj.io/v1alpha1`nkind: ImageUpdater`nmetadata: {name: bad}`nspec:`n  applicationRefs:`n  - images: [{alias: a, imageName: nginx}]`n---`napiVersion: argocd-image-updater.argoproj.io/v1alpha1`nkind: ImageUpdater`nmetadata: {name: good}`nspec:`n  applicationRefs: [{namePattern: '*', useAnnotations: true}]`n" | Set-Content $bad
        $found = Get-ArgoImageUpdater -Path $bad -ErrorVariable errs -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'good'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].Exception.Message | Should -Match 'bad\.yaml.*applicationRefs\[0\] has no namePattern'
        $null = Get-ArgoImageUpdater -Path (Join-Path $TestDrive 'none') -ErrorVariable errs2 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $errs2[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Get-ArgoImageUpdater -Kubeconfig (the Kubernetes emulator)' {
    BeforeAll {
        $script:kube = Start-Emulator kube
        $script:bare = Start-Emulator kube @('--no-imageupdater-crd')
        function Write-Kubeconfig($Server, [string] $Path) {
            @"
apiVersion: v1
kind: Config
current-context: emulator
clusters:
- name: emulator
  cluster: {server: $($Server.url.TrimEnd('/'))}
contexts:
- name: emulator
  context: {cluster: emulator, user: reader}
users:
- name: reader
  user: {token: $($Server.token)}
"@ | Set-Content $Path
            $Path
        }
        $script:kubeconfig = Write-Kubeconfig $kube (Join-Path $TestDrive 'kubeconfig')
        $script:noCrd = Write-Kubeconfig $bare (Join-Path $TestDrive 'kubeconfig-nocrd')
        function Add-Resource($Server, [hashtable] $Resource) {
            $null = Invoke-RestMethod -Method Post -Uri "$($Server.url)__emulator/imageupdaters" -ContentType 'application/json' -Body ($Resource | ConvertTo-Json -Depth 20)
        }
        function Add-App($Server, [hashtable] $App) {
            $null = Invoke-RestMethod -Method Post -Uri "$($Server.url)__emulator/applications" -ContentType 'application/json' -Body ($App | ConvertTo-Json -Depth 20)
        }
        Add-Resource $kube @{ metadata = @{ name = 'shop'; namespace = 'argocd'; labels = @{ team = 'shop' } }; spec = @{
                commonUpdateSettings = @{ updateStrategy = 'semver' }
                applicationRefs      = @(@{ namePattern = 'shop-*'; images = @(@{ alias = 'web'; imageName = 'ghcr.io/acme/web:1.x' }) }) } }
        Add-Resource $kube @{ metadata = @{ name = 'legacy'; namespace = 'argocd' }; spec = @{ applicationRefs = @(@{ namePattern = '*'; useAnnotations = $true; labelSelectors = @{ matchLabels = @{ legacy = 'true' } } }) } }
        Add-Resource $kube @{ metadata = @{ name = 'elsewhere'; namespace = 'team-b' }; spec = @{ applicationRefs = @(@{ namePattern = '*'; useAnnotations = $true }) } }
        foreach ($name in 'shop-web', 'old-api', 'plain') {
            $labels = if ($name -eq 'old-api') { @{ legacy = 'true' } } else { @{} }
            Add-App $kube @{ apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'
                metadata = @{ name = $name; namespace = 'argocd'; labels = $labels; annotations = @{ 'argocd-image-updater.argoproj.io/image-list' = 'own=redis:7.x' } }
                spec = @{ project = 'default'; source = @{ repoURL = 'https://git.example.com/gitops.git'; path = "apps/$name"; helm = @{} } } }
        }
    }
    AfterAll { if ($kube) { $kube.Stop() }; if ($bare) { $bare.Stop() } }

    It 'lists the resources of a namespace, with a label selector applied by the API server' {
        (Get-ArgoImageUpdater -Kubeconfig $kubeconfig).Name | Should -Be @('legacy', 'shop')
        (Get-ArgoImageUpdater -Kubeconfig $kubeconfig -Selector 'team=shop').Name | Should -Be 'shop'
        (Get-ArgoImageUpdater -Kubeconfig $kubeconfig -Namespace team-b).Name | Should -Be 'elsewhere'
        (Get-ArgoImageUpdater -Kubeconfig $kubeconfig -Name shop).Origin | Should -Be $kube.url.TrimEnd('/')
    }

    It 'says the CRD is missing when the cluster does not serve it' {
        $err = { Get-ArgoImageUpdater -Kubeconfig $noCrd } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ImageUpdaterResourceNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'CRD'
    }

    It 'configures the cluster''s Applications with the cluster''s resources: name pattern, label selector and useAnnotations' {
        $apps = Get-ArgoImageUpdater -Kubeconfig $kubeconfig | Get-ArgoApplication -Kubeconfig $kubeconfig -WarningVariable warned -WarningAction SilentlyContinue
        $apps.Name | Should -Be @('old-api', 'shop-web')
        ($apps | Where-Object Name -EQ 'shop-web').Images.Alias | Should -Be 'web'
        ($apps | Where-Object Name -EQ 'shop-web').ConfiguredBy | Should -Match '^argocd/shop applicationRefs\[0\]'
        ($apps | Where-Object Name -EQ 'old-api').Images.Alias | Should -Be 'own'
        ($warned -join "`n") | Should -Match "shop-web' has image-updater annotations, but ImageUpdater argocd/shop .* ignored"
    }
}

Describe 'ImageUpdater resources applied to Applications from files' {
    BeforeAll {
        $script:apps = Join-Path $TestDrive 'apps'
        $null = New-Item -ItemType Directory $apps
        New-AppYaml 'app-001' | Set-Content (Join-Path $apps 'app-001.yaml')
        New-AppYaml 'app-002' -Labels @{ app = 'true'; key = 'value1' } | Set-Content (Join-Path $apps 'app-002.yaml')
        New-AppYaml 'app-004' -Labels @{ app = 'true'; key = 'other' } | Set-Content (Join-Path $apps 'app-004.yaml')
        New-AppYaml 'app-005' -Labels @{ app = 'true'; key = 'value2' } | Set-Content (Join-Path $apps 'app-005.yaml')
        New-AppYaml 'legacy' -Labels @{ 'image-updater' = 'my-image-updater' } -Annotations @{ 'image-list' = 'mine=redis:7.x'; 'mine.update-strategy' = 'digest' } | Set-Content (Join-Path $apps 'legacy.yaml')
        $script:crs = Join-Path $TestDrive 'crs'
        $null = New-Item -ItemType Directory $crs
        @'
apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata: {name: three-levels, namespace: argocd}
spec:
  commonUpdateSettings: {updateStrategy: digest, ignoreTags: [latest], allowTags: 'regexp:^v'}
  writeBackConfig:
    method: git
    gitConfig: {branch: main, writeBackTarget: 'helmvalues:values.yaml'}
  applicationRefs:
  - namePattern: '*'
    useAnnotations: true
    labelSelectors: {matchLabels: {image-updater: my-image-updater}}
  - namePattern: 'app-00[0-9]'
    labelSelectors:
      matchLabels: {app: 'true'}
      matchExpressions: [{key: key, operator: In, values: [value1, value2]}]
    commonUpdateSettings: {updateStrategy: semver, platforms: [linux/arm64]}
    writeBackConfig: {gitConfig: {branch: 'main:image-updates'}}
    images:
    - alias: web
      imageName: ghcr.io/acme/web:~1.2
      commonUpdateSettings: {ignoreTags: [dev, rc]}
      manifestTargets: {helm: {name: web.image.repository, tag: web.image.tag}}
    - alias: api
      imageName: ghcr.io/acme/api
      commonUpdateSettings: {updateStrategy: newest-build, forceUpdate: true}
  - namePattern: app-001
    images: [{alias: exact, imageName: nginx:1.x}]
'@ | Set-Content (Join-Path $crs 'three-levels.yaml')
    }

    It 'matches by exact name first, then by name glob and label selector; an unselected Application is left out' {
        $configured = Get-ArgoApplication -Path $apps -ImageUpdater (Get-ArgoImageUpdater -Path $crs) -Verbose 4>&1 | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $configured.Name | Should -Be @('app-001', 'app-002', 'app-005', 'legacy')
        ($configured | Where-Object Name -EQ 'app-001').Images.Alias | Should -Be 'exact'
        ($configured | Where-Object Name -EQ 'app-002').Images.Alias | Should -Be @('web', 'api')
    }

    It 'merges spec, reference and image settings field by field' {
        $app = Get-ArgoApplication -Path $apps -Name app-005 -ImageUpdater (Get-ArgoImageUpdater -Path $crs)
        $web = $app.Images | Where-Object Alias -EQ web
        "$($web.UpdateStrategy)" | Should -Be 'Semver'
        $web.IgnoreTags | Should -Be @('dev', 'rc')
        $web.AllowTags | Should -Be 'regexp:^v'
        $web.Platforms | Should -Be @('linux/arm64')
        $web.HelmImageName | Should -Be 'web.image.repository'
        $api = $app.Images | Where-Object Alias -EQ api
        "$($api.UpdateStrategy)" | Should -Be 'NewestBuild'
        $api.ForceUpdate | Should -BeTrue
        $api.IgnoreTags | Should -Be @('latest')
        "$($app.WriteBack.Method)" | Should -Be 'Git'
        $app.WriteBack.BaseBranch | Should -Be 'main'
        $app.WriteBack.WriteBranch | Should -Be 'image-updates'
        $app.ConfiguredBy | Should -Match "argocd/three-levels applicationRefs\[1\] \(namePattern 'app-00\[0-9\]'\)"
    }

    It 'useAnnotations keeps the Application''s own annotations' {
        $legacy = Get-ArgoApplication -Path $apps -Name legacy -ImageUpdater (Get-ArgoImageUpdater -Path $crs)
        $legacy.Images.Alias | Should -Be 'mine'
        "$($legacy.Images.UpdateStrategy)" | Should -Be 'Digest'
        "$($legacy.WriteBack.Method)" | Should -Be 'Argocd' -Because 'the resource''s writeBackConfig is ignored with useAnnotations'
    }

    It 'applies resources found among -Path''s files, and pipes from Get-ArgoImageUpdater' {
        $mixed = Join-Path $TestDrive 'mixed'
        $null = New-Item -ItemType Directory $mixed
        Copy-Item (Join-Path $apps '*') $mixed
        Copy-Item (Join-Path $crs 'three-levels.yaml') $mixed
        (Get-ArgoApplication -Path $mixed).Name | Should -Be @('app-001', 'app-002', 'app-005', 'legacy')
        (Get-ArgoImageUpdater -Path $crs | Get-ArgoApplication -Path $apps).Name | Should -Be @('app-001', 'app-002', 'app-005', 'legacy')
    }

    It 'warns about a resource that selects nothing and refuses a malformed name pattern' {
        $odd = Join-Path $TestDrive 'odd.yaml'
        "apiVersion: argocd-image-updater.argoproj.io/v1alpha1`nkind: ImageUpdater`nmetadata: {name: nothing}`nspec:`n  applicationRefs: [{namePattern: 'zzz-*', images: [{alias: a, imageName: nginx}]}]`n---`napiVersion: argocd-image-updater.argoproj.io/v1alpha1`nkind: ImageUpdater`nmetadata: {name: broken}`nspec:`n  applicationRefs: [{namePattern: 'app-[', images: [{alias: a, imageName: nginx}]}]`n" | Set-Content $odd
        $null = Get-ArgoApplication -Path $apps -ImageUpdater (Get-ArgoImageUpdater -Path $odd) -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable errs -ErrorAction SilentlyContinue
        ($warned -join "`n") | Should -Match "ImageUpdater 'nothing' selects none of the 5 Application\(s\) read \(namespace 'argocd'\)"
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImageUpdaterNamePatternInvalid,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }
}

Describe 'The same run from annotations and from the equivalent ImageUpdater resource' {
    BeforeAll {
        $script:EcrHost = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
        $seed = Join-Path $TestDrive 'ecr-seed.json'
        '{"repositories":[{"name":"team/web","images":[{"tags":["1.0.0"],"pushedAt":1700000100},{"tags":["1.1.0"],"pushedAt":1700000200},{"tags":["1.2.0"],"pushedAt":1700000300},{"tags":["2.0.0"],"pushedAt":1700000400}]}]}' | Set-Content $seed
        $script:Ecr = Start-Emulator ecr @('--seed', $seed, '--key', 'AKIAISSUE20000000001:issue20-secret')
        $script:Aws = @{ AccessKey = 'AKIAISSUE20000000001'; SecretKey = (ConvertTo-SecureString 'issue20-secret' -AsPlainText -Force); Region = 'us-east-1'; EndpointUrl = $Ecr.url }
        $env:AWS_EC2_METADATA_DISABLED = 'true'

        # A bare repository with apps/<name>/values.yaml; returns its file URL.
        function New-Repository([string] $Root, [string[]] $Apps) {
            $bare = Join-Path $Root 'gitops.git'
            $seedDir = Join-Path $Root 'seed'
            Invoke-Git init --quiet --bare --initial-branch=main $bare | Out-Null
            Invoke-Git clone --quiet $bare $seedDir 2>$null | Out-Null
            foreach ($app in $Apps) {
                $null = New-Item -ItemType Directory (Join-Path $seedDir "apps/$app") -Force
                [IO.File]::WriteAllText((Join-Path $seedDir "apps/$app/values.yaml"), "# $app`nweb:`n  image:`n    repository: web   # kept`n    tag: 1.0.0 # pinned by the updater`n")
            }
            Invoke-Git -C $seedDir checkout --quiet -b main | Out-Null
            Invoke-Git -C $seedDir add -A | Out-Null
            Invoke-Git -C $seedDir -c user.name=Seed -c user.email=seed@example.com commit --quiet -m seed | Out-Null
            Invoke-Git -C $seedDir push --quiet origin main 2>$null | Out-Null
            [pscustomobject]@{ Bare = $bare; Url = [Uri]::new($bare).AbsoluteUri }
        }
    }
    AfterAll { if ($Ecr) { $Ecr.Stop() } }

    It 'gives the same results and writes byte-identical files, with the converted resource and with annotations converted back from it' {
        $names = @('web-a', 'web-b')
        $annotations = @{
            'image-list'              = "web=$EcrHost/team/web:1.x"
            'web.helm.image-name'     = 'web.image.repository'
            'web.helm.image-tag'      = 'web.image.tag'
            'web.ignore-tags'         = '1.2.0'
            'write-back-method'       = 'git'
            'write-back-target'       = 'helmvalues:values.yaml'
        }
        $byAnnotation = New-Repository (Join-Path $TestDrive 'a') $names
        $byResource = New-Repository (Join-Path $TestDrive 'r') $names
        $byPatch = New-Repository (Join-Path $TestDrive 'p') $names
        $annotated = Join-Path $TestDrive 'annotated'; $null = New-Item -ItemType Directory $annotated
        $plain = Join-Path $TestDrive 'plain'; $null = New-Item -ItemType Directory $plain
        foreach ($n in $names) {
            New-AppYaml $n -Annotations $annotations -RepoUrl $byAnnotation.Url | Set-Content (Join-Path $annotated "$n.yaml")
            New-AppYaml $n -RepoUrl $byResource.Url | Set-Content (Join-Path $plain "$n.yaml")
        }
        Get-ArgoApplication -Path $annotated | ConvertTo-ArgoImageUpdater -Name web | Set-Content (Join-Path $plain 'image-updater.yaml')
        (Get-ArgoImageUpdater -Path $plain).ApplicationRefs.NamePattern | Should -Be $names

        $fromAnnotations = Invoke-ImageUpdater -Path $annotated -WorkingDirectory (Join-Path $TestDrive 'cache-a') @Aws
        $fromResource = Invoke-ImageUpdater -Path $plain -WorkingDirectory (Join-Path $TestDrive 'cache-r') @Aws

        # Back to annotations: the metadata patches ConvertFrom-ArgoImageUpdater writes configure Applications the same way.
        $patch = Join-Path $TestDrive 'patch.yaml'
        Get-ArgoImageUpdater -Path $plain | ConvertFrom-ArgoImageUpdater -Application (Get-ChildItem $plain -Filter 'web-*.yaml' | Get-ArgoApplication) | Set-Content $patch
        $back = Join-Path $TestDrive 'back'; $null = New-Item -ItemType Directory $back
        foreach ($patched in Get-ArgoApplication -Path $patch) {
            $own = @{}
            foreach ($k in $patched.Annotations.Keys) { $own[$k.Substring('argocd-image-updater.argoproj.io/'.Length)] = $patched.Annotations[$k] }
            New-AppYaml $patched.Name -Annotations $own -RepoUrl $byPatch.Url | Set-Content (Join-Path $back "$($patched.Name).yaml")
        }
        $fromPatch = Invoke-ImageUpdater -Path $back -WorkingDirectory (Join-Path $TestDrive 'cache-p') @Aws

        $a = $fromAnnotations | ForEach-Object { "$($_.Application) $($_.Image) $($_.OldTag) $($_.NewTag) $($_.Status)" } | Sort-Object
        $r = $fromResource | ForEach-Object { "$($_.Application) $($_.Image) $($_.OldTag) $($_.NewTag) $($_.Status)" } | Sort-Object
        $a | Should -Be @("web-a $EcrHost/team/web 1.0.0 1.1.0 Updated", "web-b $EcrHost/team/web 1.0.0 1.1.0 Updated")
        $r | Should -Be $a
        $fromPatch | ForEach-Object { "$($_.Application) $($_.Image) $($_.OldTag) $($_.NewTag) $($_.Status)" } | Sort-Object | Should -Be $a
        foreach ($n in $names) {
            $left = Invoke-Git -C $byAnnotation.Bare show "main:apps/$n/values.yaml" | Out-String
            $right = Invoke-Git -C $byResource.Bare show "main:apps/$n/values.yaml" | Out-String
            $right | Should -BeExactly $left
            Invoke-Git -C $byPatch.Bare show "main:apps/$n/values.yaml" | Out-String | Should -BeExactly $left
            $left | Should -Match 'tag: 1\.1\.0 # pinned by the updater'
        }
    }
    It 'runs the same engine through Invoke-ImageUpdater -ImageUpdater and Get-ArgoImageUpdater | Get-ArgoApplication | Find-EcrTag | Update-HelmImageTag' {
        $names = @('pipe-a', 'pipe-b')
        $repo = New-Repository (Join-Path $TestDrive 'pipe') $names
        $plainOnly = Join-Path $TestDrive 'pipe-apps'; $null = New-Item -ItemType Directory $plainOnly
        foreach ($n in $names) { New-AppYaml $n -RepoUrl $repo.Url | Set-Content (Join-Path $plainOnly "$n.yaml") }
        $crFile = Join-Path $TestDrive 'pipe-cr.yaml'
        @"
apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata: {name: pipe, namespace: argocd}
spec:
  commonUpdateSettings: {ignoreTags: ['1.2.0']}
  writeBackConfig: {method: git, gitConfig: {writeBackTarget: 'helmvalues:values.yaml'}}
  applicationRefs:
  - namePattern: 'pipe-*'
    images:
    - alias: web
      imageName: $EcrHost/team/web:1.x
      manifestTargets: {helm: {name: web.image.repository, tag: web.image.tag}}
"@ | Set-Content $crFile

        $piped = Get-ArgoImageUpdater -Path $crFile | Get-ArgoApplication -Path $plainOnly | Find-EcrTag @Aws | Update-HelmImageTag -WorkingDirectory (Join-Path $TestDrive 'pipe-cache1') -WhatIf
        $invoked = Invoke-ImageUpdater -Path $plainOnly -ImageUpdater (Get-ArgoImageUpdater -Path $crFile) -WorkingDirectory (Join-Path $TestDrive 'pipe-cache2') @Aws -WhatIf

        $fields = 'Application', 'Image', 'OldTag', 'NewTag', 'Method', 'Status', 'Message'
        ($piped | Sort-Object Application | Select-Object $fields | ConvertTo-Json -Compress) | Should -Be ($invoked | Sort-Object Application | Select-Object $fields | ConvertTo-Json -Compress)
        $invoked.Status | Should -Be @('WhatIf', 'WhatIf')
        $invoked.NewTag | Should -Be @('1.1.0', '1.1.0')
        $invoked[0].Diff | Should -Match '(?m)^\+    tag: 1\.1\.0 # pinned by the updater'
        (Invoke-Git -C $repo.Bare rev-list --count main) | Should -Be 1
    }
}
