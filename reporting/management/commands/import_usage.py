from portal.imports.command import ImportCommand


class Command(ImportCommand):
    help = "匯入數位學習平臺使用時數：全部成功才寫入；同一學校、月份、平臺已有資料者以檔案取代"
    kind_name = "usage"
