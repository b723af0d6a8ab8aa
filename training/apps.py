from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "推動辦公室與研習"
