# Picks the build for this edition. On PowerShell 7 the module and its dependencies load into an
# AssemblyLoadContext of their own (ImageUpdater.PS.Loader), so other modules' copies never collide with ours.
$binRoot = [System.IO.Path]::Combine($PSScriptRoot, 'bin')

if ($IsCoreCLR) {
    $isReload = $true
    if (-not ('ImageUpdater.Loader.LoadContext' -as [type])) {
        $isReload = $false
        # Assembly.LoadFrom, not Add-Type -Path: the same load, without about 0.2 CPU-s of Add-Type's own start-up per import.
        $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($binRoot, 'net8.0', 'ImageUpdater.PS.Loader.dll'))
    }

    $mainAssembly = [ImageUpdater.Loader.LoadContext]::Initialize()
    $innerModule = Import-Module -Assembly $mainAssembly -PassThru:$isReload

    if ($innerModule) {
        # PowerShell #20710: re-importing with -Force reuses the cached assembly module without re-exporting its cmdlets.
        $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
            'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
        foreach ($cmd in $innerModule.ExportedCommands.Values) {
            $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmd))
        }
    }
}
else {
    Import-Module -Name ([System.IO.Path]::Combine($binRoot, 'net472', 'ImageUpdater.PS.dll'))
}
