# Issue 20: Test-ArgoImageUpdater finds planted errors in an ImageUpdater resource at their fields.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Upstream = Join-Path (Get-RepositoryRoot) 'tests/Upstream/ImageUpdaterCrd'
    $script:planted = Join-Path $TestDrive 'planted.yaml'
    @'
apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata: {name: planted, namespace: argocd}
spec:
  commonUpdateSettings: {updateStrategy: newest, allowTag: 'regexp:^v'}
  writeBackConfig: {method: github}
  applicationRefs:
  - namePattern: 'shop-*'
    images:
    - alias: web
      imageName: ghcr.io/acme/web:~1.2
      commonUpdateSettings: {allowTags: 'regexp:^(v'}
      manifestTargets: {helm: {name: a}, kustomize: {name: b}}
  - namePattern: 'svc-*'
    useAnnotations: true
'@ | Set-Content $planted
    $script:apps = Join-Path $TestDrive 'apps'
    $null = New-Item -ItemType Directory $apps
    "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata: {name: shop-web, namespace: argocd}`nspec:`n  project: default`n  source: {repoURL: 'https://git.example.com/gitops.git', path: apps/shop-web, helm: {}}`n" | Set-Content (Join-Path $apps 'shop-web.yaml')
}

Describe 'Test-ArgoImageUpdater' {
    It 'passes upstream''s samples that the module can carry out, and warns about the ones it cannot' {
        $found = Get-ArgoImageUpdater -Path (Join-Path $Upstream 'argocd-image-updater_v1alpha1_imageupdater-short.yaml') | Test-ArgoImageUpdater
        $found | Should -BeNullOrEmpty
        $pr = Test-ArgoImageUpdater -Path (Join-Path $Upstream 'argocd-image-updater_v1alpha1_imageupdater-pull-request.yaml') -ErrorAction SilentlyContinue
        # The pull request itself is carried out (#18); its labels are not, and that is a warning.
        ($pr | Where-Object Severity -EQ Warning).Message -join ' ' | Should -Match 'labels \(image-update\) are not applied to the pull request'
    }

    It 'reports each planted error at its field, as objects and as non-terminating errors naming the file' {
        $found = Test-ArgoImageUpdater -Path $planted -Application (Get-ArgoApplication -Path $apps) -ErrorVariable errs -ErrorAction SilentlyContinue
        $found[0].PSObject.TypeNames[0] | Should -Be 'ImageUpdater.AnnotationDiagnostic'
        $byKey = $found | Group-Object Key -AsHashTable -AsString
        $byKey['spec.commonUpdateSettings.allowTag'].Message | Should -Match "Unknown field 'allowTag'.*Did you mean 'allowTags'"
        $byKey['spec.commonUpdateSettings.updateStrategy'].Message | Should -Match "Unknown update strategy 'newest'"
        $byKey['spec.writeBackConfig.method'].Message -join ' ' | Should -Match 'pattern'
        $byKey['spec.applicationRefs[0].images[0].commonUpdateSettings.allowTags'].Severity | Should -Be 'Error'
        $byKey['spec.applicationRefs[0].images[0].manifestTargets'].Message | Should -Match 'Exactly one of helm, kustomize, or plugin'
        $byKey['spec.applicationRefs[1]'].Message | Should -Match "namePattern 'svc-\*' selects none of the 1 Application"
        $byKey['spec.applicationRefs[1]'].Severity | Should -Be 'Warning'
        $errs.Count | Should -Be @($found | Where-Object Severity -EQ Error).Count
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidImageUpdater,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].Exception.Message | Should -Match "ImageUpdater 'argocd/planted' \(.*planted\.yaml\)"
        (Test-ArgoImageUpdater -Path $planted -ErrorsOnly -ErrorAction SilentlyContinue).Severity | Sort-Object -Unique | Should -Be 'Error'
    }

    It 'shows its findings in the diagnostics view within 80 columns' {
        $text = Test-ArgoImageUpdater -Path $planted -ErrorAction SilentlyContinue | Out-String -Width 80
        foreach ($line in $text -split '\r?\n') { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }
}

Describe 'ConvertTo-ArgoImageUpdater and ConvertFrom-ArgoImageUpdater' {
    It 'converts upstream''s migration example and back to the same images and write-back' {
        $before = Join-Path $Upstream 'migration-before.yaml'
        $apps = Get-ArgoApplication -Path $before
        $yaml = $apps | ConvertTo-ArgoImageUpdater -Name multi-app-image-updater
        $yaml | Should -Match '(?m)^kind: ImageUpdater$'
        $converted = Join-Path $TestDrive 'converted.yaml'
        $yaml | Set-Content $converted
        $lint = Test-ArgoImageUpdater -Path $converted -Application $apps
        $lint | Where-Object Severity -EQ Error | Should -BeNullOrEmpty
        # The example's 'latest' is a deprecated strategy name: the warning follows it to the field it now sits in.
        $lint.Key | Should -Be @('spec.applicationRefs[0].images[1].commonUpdateSettings.updateStrategy', 'spec.applicationRefs[1].images[0].commonUpdateSettings.updateStrategy')
        $plainApps = $apps | ForEach-Object { "apiVersion: argoproj.io/v1alpha1`nkind: Application`nmetadata: {name: $($_.Name), namespace: argocd}`nspec: {}`n" }
        $plainFile = Join-Path $TestDrive 'plain-apps.yaml'
        $plainApps -join "---`n" | Set-Content $plainFile
        $configured = Get-ArgoImageUpdater -Path $converted | Get-ArgoApplication -Path $plainFile
        foreach ($app in $apps) {
            $other = $configured | Where-Object Name -EQ $app.Name
            ($other.Images | ForEach-Object { "$($_.KeyAlias) $($_.Reference.Original) $($_.UpdateStrategy) $($_.AllowTags) $($_.IgnoreTags -join ',') $($_.PullSecret)" }) |
                Should -Be ($app.Images | ForEach-Object { "$($_.KeyAlias) $($_.Reference.Original) $($_.UpdateStrategy) $($_.AllowTags) $($_.IgnoreTags -join ',') $($_.PullSecret)" })
            $other.WriteBack.ToString() + $other.WriteBack.BaseBranch + $other.WriteBack.Repository | Should -Be ($app.WriteBack.ToString() + $app.WriteBack.BaseBranch + $app.WriteBack.Repository)
        }
        $patch = Get-ArgoImageUpdater -Path $converted | ConvertFrom-ArgoImageUpdater -Application (Get-ArgoApplication -Path $plainFile)
        $patch | Should -Match 'argocd-image-updater.argoproj.io/image-list: "nginx=nginx:1.20,redis=redis:6.2"'
        $patch | Should -Match '# from ImageUpdater argocd/multi-app-image-updater applicationRefs\[0\]'
    }
}
