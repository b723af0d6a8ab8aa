from portal.imports.command import ImportCommand


class Command(ImportCommand):
    help = "匯入研習參加名單（研習代碼、學校代碼、教師識別碼、姓名）：全部正確才寫入，否則列出全部錯誤"
    kind_name = "attendance"
