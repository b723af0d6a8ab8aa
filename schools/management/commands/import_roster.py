from portal.imports.command import ImportCommand


class Command(ImportCommand):
    help = "匯入附錄名單：全部成功才寫入；有任何錯誤時列出全部錯誤，不寫入任何資料"
    kind_name = "roster"
