# Admin one-liners for ImageUpdater.PS: paste one at a prompt (after Import-Module ImageUpdater.PS).
# Each is one pipeline; tests/ImageUpdater.PS.Tests/Examples.Tests.ps1 runs every one of them.
# They use the Connect-ArgoCD session, the AWS default credentials (environment, profile or instance role), and the
# current folder for a GitOps checkout.

# What would change across all applications of a project (a dry run: nothing is committed, pushed or patched).
Invoke-ImageUpdater -Project shop -WhatIf | Where-Object Status -EQ 'WhatIf' | Format-Table Application, Image, OldTag, NewTag, Target -AutoSize

# The newest tag of an ECR repository (within a constraint: add -Constraint '~1.4'; with its push time and digest).
Find-EcrTag -Repository team/web -First 1

# Lint the Applications of a GitOps repository (checked out here): every annotation problem in one table, errors first.
Get-ArgoApplication -Path ./apps -Recurse | Test-ImageUpdaterAnnotation -ErrorAction SilentlyContinue | Sort-Object Severity -Descending | Format-Table Severity, Application, Key, Message -Wrap
