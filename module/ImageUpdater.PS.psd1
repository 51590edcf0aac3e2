@{
    RootModule           = 'ImageUpdater.PS.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core', 'Desktop')
    GUID                 = '6f0f8f1e-4f7e-4c55-9d2e-6b3f7f1c2a11'
    Author               = 'ImageUpdater.PS contributors'
    CompanyName          = 'ImageUpdater.PS'
    Copyright            = '(c) ImageUpdater.PS contributors. Apache-2.0.'
    Description          = 'Argo CD Image Updater as PowerShell cmdlets: read annotated Applications, find the newest allowed image tags (Amazon ECR and OCI registries), and write them back through Git or the Argo CD API.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    HelpInfoUri          = 'https://github.com/imageupdater-ps/ImageUpdater.PS/tree/main/docs'
    FormatsToProcess     = @(
        'formats/Applications.Format.ps1xml'
        'formats/Registries.Format.ps1xml'
        'formats/Argo.Format.ps1xml'
        'formats/TagTest.Format.ps1xml'
        'formats/Results.Format.ps1xml'
        'formats/Run.Format.ps1xml'
        'formats/Environment.Format.ps1xml'
    )
    TypesToProcess       = @()
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Connect-ArgoCD'
        'ConvertFrom-ArgoImageUpdater'
        'ConvertTo-ArgoImageUpdater'
        'ConvertFrom-RegistryWebhook'
        'Disconnect-ArgoCD'
        'Find-EcrTag'
        'Find-ImageTag'
        'Get-ArgoApplication'
        'Get-ArgoImageUpdater'
        'Get-EcrAuthorizationToken'
        'Invoke-ImageUpdater'
        'Test-ArgoImageUpdater'
        'Test-ImageUpdate'
        'Test-ImageUpdaterAnnotation'
        'Test-ImageUpdaterEnvironment'
        'Update-HelmImageTag'
        'Update-KustomizeImage'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('ArgoCD', 'GitOps', 'ECR', 'Helm', 'Kustomize', 'Containers', 'ImageUpdater', 'AzureAutomation',
                'Kubernetes', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/imageupdater-ps/ImageUpdater.PS/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/imageupdater-ps/ImageUpdater.PS'
            ReleaseNotes = 'https://github.com/imageupdater-ps/ImageUpdater.PS/blob/main/CHANGELOG.md — 0.1.0: keyless AWS from an Azure managed identity (-AzureManagedIdentity -RoleArn), Argo CD connection objects (-Connection), gallery package.'
        }
    }
}
