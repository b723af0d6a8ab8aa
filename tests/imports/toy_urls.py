from portal.imports.urls import import_urls
from portal.urls import urlpatterns as portal_urlpatterns
from tests.imports.toy import TOY

urlpatterns = [*import_urls(TOY, "toy/import/"), *portal_urlpatterns]
