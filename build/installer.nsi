; 医保绩效自评助手 — Windows installer (NSIS 3, Unicode, x64). Built on Linux by build/dist_windows.py:
;
;   makensis -DVERSION=0.1.0 -DVERSION4=0.1.0.0 -DSRCDIR=dist/windows/yibao-desktop \
;            -DFILELIST=build/_work/nsis/files.nsh -DICON=build/_work/icon/yibao-desktop.ico \
;            -DOUTFILE=dist/yibao-desktop-0.1.0-setup.exe build/installer.nsi
;
; - Per-user by default, without administrator rights: %LOCALAPPDATA%\Programs\医保绩效自评助手,
;   registry under HKCU. Run as administrator, it offers "所有用户" (C:\Program Files, HKLM);
;   silently: /ALLUSERS (needs admin) or /CURRENTUSER (default). /D=DIR sets the folder.
; - Start-menu and desktop shortcuts, the .yibao file association, an Add/Remove Programs entry.
; - The uninstaller removes exactly the files this installer wrote (FILELIST, generated from the
;   bundle), then the folders if they are empty. It never touches %APPDATA%\yibao-desktop (the
;   user's settings, demo report and signing certificate) nor any report the user saved anywhere,
;   even inside the program folder.
; - Windows 10 1809 (build 17763) or later, 64-bit.

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
SetCompressorDictSize 64
ManifestDPIAware true
ManifestSupportedOS all
RequestExecutionLevel user

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include WinVer.nsh
!include nsDialogs.nsh

!ifndef VERSION | VERSION4 | SRCDIR | FILELIST | ICON | OUTFILE
  !error "pass -DVERSION -DVERSION4 -DSRCDIR -DFILELIST -DICON -DOUTFILE (see build/dist_windows.py)"
!endif

!define APPNAME "医保绩效自评助手"
!define APPID "yibao-desktop"
!define EXE "yibao-desktop.exe"
!define PROGID "yibao-desktop.report"
!define PUBLISHER "医保绩效自评助手项目组"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPID}"
!define SETTINGS_KEY "Software\${APPID}"
!define MIN_BUILD 17763 ; Windows 10 1809

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
BrandingText "${APPNAME} ${VERSION}"
ShowInstDetails hide
ShowUninstDetails hide

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=2052 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APPNAME} 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PUBLISHER}"

Var AllUsers        ; 1 = install for every user of this PC (admin only)
Var IsAdmin
Var RadioMe
Var RadioAll

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TITLE "欢迎安装${APPNAME}"
!define MUI_WELCOMEPAGE_TEXT "${APPNAME}用于编制转移支付资金绩效自评报告，完全离线使用，不连接网络。$\r$\n$\r$\n默认只为当前用户安装，不需要管理员权限。$\r$\n$\r$\n点击“下一步”继续。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "运行${APPNAME}"
!define MUI_UNCONFIRMPAGE_TEXT_TOP "将从电脑上卸载${APPNAME}程序。$\r$\n您的报告文件（.yibao）、导出的 PDF 和 Excel、设置以及单位签名证书（%APPDATA%\yibao-desktop）都不会被删除。"

!insertmacro MUI_PAGE_WELCOME
Page custom InstallModePage InstallModeLeave
!define MUI_PAGE_CUSTOMFUNCTION_PRE DirectoryPre
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

; ------------------------------------------------------------------------------- install mode

!macro UseContext
  ${If} $AllUsers == 1
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
!macroend

Function .onInit
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_ICONSTOP "${APPNAME}需要 Windows 10（1809 版或更高）或 Windows 11。" /SD IDOK
    Abort ; exit code 2
  ${EndIf}
  ${WinVerGetBuild} $0
  ${If} $0 < ${MIN_BUILD}
    MessageBox MB_ICONSTOP "${APPNAME}需要 Windows 10 1809 版（内部版本 ${MIN_BUILD}）或更高版本，本机为内部版本 $0。请先更新 Windows。" /SD IDOK
    Abort
  ${EndIf}
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 == "Admin"
    StrCpy $IsAdmin 1
  ${Else}
    StrCpy $IsAdmin 0
  ${EndIf}
  StrCpy $AllUsers 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    ${If} $IsAdmin != 1
      MessageBox MB_ICONSTOP "为所有用户安装需要管理员权限。请右键点击安装程序，选择“以管理员身份运行”。" /SD IDOK
      Abort
    ${EndIf}
    StrCpy $AllUsers 1
  ${EndIf}
  Call ApplyMode
FunctionEnd

Function ApplyMode
  ; the two default folders, each in its own context ($LOCALAPPDATA differs between them)
  SetShellVarContext current
  StrCpy $R8 "$LOCALAPPDATA\Programs\${APPNAME}"
  StrCpy $R9 "$PROGRAMFILES64\${APPNAME}"
  ; keep a folder given with /D= or chosen by the user; otherwise take the default of the mode
  ${If} $INSTDIR == $R8
  ${OrIf} $INSTDIR == $R9
  ${OrIf} $INSTDIR == ""
    ${If} $AllUsers == 1
      StrCpy $INSTDIR $R9
    ${Else}
      StrCpy $INSTDIR $R8
    ${EndIf}
  ${EndIf}
  !insertmacro UseContext
FunctionEnd

Function InstallModePage
  ${If} $IsAdmin != 1
    Abort ; not an administrator: per-user, no question asked
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "选择安装方式" "本程序可以只为您自己安装，也可以为这台电脑的所有用户安装。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateRadioButton} 0 10u 100% 14u "仅为我安装（推荐，不需要管理员权限）"
  Pop $RadioMe
  ${NSD_CreateRadioButton} 0 32u 100% 14u "为这台电脑的所有用户安装（安装到 Program Files）"
  Pop $RadioAll
  ${NSD_CreateLabel} 0 58u 100% 40u "无论哪种方式，每个用户的报告、设置和单位签名证书都保存在各自的用户文件夹中，卸载程序时不会被删除。"
  Pop $0
  ${If} $AllUsers == 1
    ${NSD_Check} $RadioAll
  ${Else}
    ${NSD_Check} $RadioMe
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function InstallModeLeave
  ${NSD_GetState} $RadioAll $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $AllUsers 1
  ${Else}
    StrCpy $AllUsers 0
  ${EndIf}
  Call ApplyMode
FunctionEnd

Function DirectoryPre
FunctionEnd

; ------------------------------------------------------------------------------------ install

Section "Install"
  !insertmacro UseContext
  SetOutPath "$INSTDIR"
  ; an earlier version in the same folder: remove its files first (its uninstaller knows them)
  ${If} ${FileExists} "$INSTDIR\uninstall.exe"
    ExecWait '"$INSTDIR\uninstall.exe" /S /KEEPREGISTRY _?=$INSTDIR'
  ${EndIf}
  SetOutPath "$INSTDIR"
  File /r "${SRCDIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "${APPNAME}：编制绩效自评报告"
  CreateShortCut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "${APPNAME}：编制绩效自评报告"

  ; .yibao: double-clicking a report opens it in the app (SHCTX = HKCU per user, HKLM for all users)
  WriteRegStr SHCTX "Software\Classes\.yibao" "" "${PROGID}"
  WriteRegStr SHCTX "Software\Classes\.yibao" "Content Type" "application/x-yibao"
  WriteRegStr SHCTX "Software\Classes\.yibao\OpenWithProgids" "${PROGID}" ""
  WriteRegStr SHCTX "Software\Classes\${PROGID}" "" "医保绩效自评报告"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\DefaultIcon" "" '"$INSTDIR\${EXE}",0'
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell" "" "open"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open" "" "用${APPNAME}打开"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  WriteRegStr SHCTX "Software\Classes\Applications\${EXE}" "FriendlyAppName" "${APPNAME}"
  WriteRegStr SHCTX "Software\Classes\Applications\${EXE}\SupportedTypes" ".yibao" ""
  WriteRegStr SHCTX "Software\Classes\Applications\${EXE}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)' ; SHCNE_ASSOCCHANGED

  ; Add/Remove Programs
  ${If} $AllUsers == 1
    StrCpy $0 "/ALLUSERS"
  ${Else}
    StrCpy $0 "/CURRENTUSER"
  ${EndIf}
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${APPNAME}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" '"$INSTDIR\${EXE}",0'
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" $0'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S $0'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $1 $2 $3
  IntFmt $1 "0x%08X" $1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" $1
  WriteRegStr SHCTX "${SETTINGS_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${SETTINGS_KEY}" "Version" "${VERSION}"
SectionEnd

; ---------------------------------------------------------------------------------- uninstall

Function un.onInit
  StrCpy $AllUsers 0
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    StrCpy $AllUsers 1
    UserInfo::GetAccountType
    Pop $0
    ${If} $0 != "Admin"
      MessageBox MB_ICONSTOP "本程序是为所有用户安装的，卸载需要管理员权限。" /SD IDOK
      Abort
    ${EndIf}
  ${EndIf}
FunctionEnd

Section "Uninstall"
  !insertmacro UseContext
  ; the files this installer wrote, and nothing else (generated from the bundle)
  !include "${FILELIST}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR" ; only if empty: a report the user saved here keeps the folder

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/KEEPREGISTRY" $R1
  ${If} ${Errors} ; a real uninstall, not the clean-up before an upgrade
    Delete "$SMPROGRAMS\${APPNAME}.lnk"
    Delete "$DESKTOP\${APPNAME}.lnk"
    ReadRegStr $0 SHCTX "Software\Classes\.yibao" ""
    ${If} $0 == "${PROGID}"
      DeleteRegKey SHCTX "Software\Classes\.yibao"
    ${Else}
      DeleteRegValue SHCTX "Software\Classes\.yibao\OpenWithProgids" "${PROGID}"
    ${EndIf}
    DeleteRegKey SHCTX "Software\Classes\${PROGID}"
    DeleteRegKey SHCTX "Software\Classes\Applications\${EXE}"
    System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
    DeleteRegKey SHCTX "${UNINST_KEY}"
    DeleteRegKey SHCTX "${SETTINGS_KEY}"
  ${EndIf}
  ; never: $APPDATA\yibao-desktop (settings, demo report, signing certificate) or any .yibao file
SectionEnd
