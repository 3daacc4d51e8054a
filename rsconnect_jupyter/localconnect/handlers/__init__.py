"""The local server's HTTP handlers, one module per resource; app.routes() maps URLs to them.

Each handler reads the request, checks who may do it, calls db.py or actions.py, and answers.
"""

from __future__ import annotations

from .assets import AssetsHandler
from .base import API_BODY_LIMIT, BaseHandler
from .bundles import BundleDownloadHandler, BundleHandler, BundlePreviewHandler, BundlesHandler
from .content import ApplicationHandler, ContentHandler, ContentListHandler
from .dashboard import DashboardHandler, RootHandler
from .dashboard_item import BundleActionHandler, DashboardItemHandler, DashboardTaskHandler
from .environment import EnvironmentHandler
from .features_off import (
    ContentAssociationsHandler,
    EnvironmentsHandler,
    OAuthIntegrationsHandler,
    OAuthSessionsHandler,
)
from .instrumentation import HitsHandler, ShinyUsageHandler, VisitsHandler
from .jobs import JobHandler, JobLogHandler, JobsHandler
from .lockfile import LockfileHandler
from .oauth import (
    OAuthDeviceAuthorizationHandler,
    OAuthMetadataHandler,
    OAuthRegisterHandler,
    OAuthRevokeHandler,
    OAuthTokenHandler,
)
from .oauth_pages import AuthorizeHandler, DeviceHandler, SignedInClientsHandler, SignOutClientHandler
from .packages import ContentPackagesHandler, ServerPackagesHandler
from .pages import LoginHandler, LogoutHandler, PageHandler
from .permissions import PermissionHandler, PermissionsHandler
from .proxy import ContentFilesHandler, ContentRedirectHandler
from .repository import RepositoryBundleHandler, RepositoryHandler
from .schedules import (
    GroupsHandler,
    RenderingPageHandler,
    ScheduleHandler,
    SchedulesHandler,
    VariantHandler,
    VariantRenderHandler,
    VariantRenderingsHandler,
    VariantSchedulesHandler,
    VariantSenderHandler,
    VariantsHandler,
)
from .server import ApiNotFoundHandler, PythonSettingsHandler, QuartoSettingsHandler, ServerSettingsHandler
from .system import RuntimeCachesHandler
from .tags import ContentTagHandler, ContentTagsHandler, TagContentHandler, TagHandler, TagsHandler
from .tasks import BuildHandler, DeployHandler, TaskHandler
from .users import UserHandler, UsersHandler
from .vanity import VanitiesHandler, VanityHandler, VanityPathHandler

__all__ = [
    "ContentAssociationsHandler",
    "ContentPackagesHandler",
    "EnvironmentsHandler",
    "HitsHandler",
    "OAuthIntegrationsHandler",
    "OAuthSessionsHandler",
    "RuntimeCachesHandler",
    "ServerPackagesHandler",
    "ShinyUsageHandler",
    "VisitsHandler",
    "SignOutClientHandler",
    "SignedInClientsHandler",
    "DeviceHandler",
    "AuthorizeHandler",
    "OAuthTokenHandler",
    "OAuthRevokeHandler",
    "OAuthRegisterHandler",
    "OAuthMetadataHandler",
    "OAuthDeviceAuthorizationHandler",
    "API_BODY_LIMIT",
    "ApiNotFoundHandler",
    "ApplicationHandler",
    "AssetsHandler",
    "BaseHandler",
    "BundleActionHandler",
    "BundleDownloadHandler",
    "BundleHandler",
    "BundlePreviewHandler",
    "BundlesHandler",
    "ContentFilesHandler",
    "ContentHandler",
    "ContentListHandler",
    "ContentRedirectHandler",
    "ContentTagHandler",
    "ContentTagsHandler",
    "DashboardHandler",
    "DashboardItemHandler",
    "DashboardTaskHandler",
    "BuildHandler",
    "DeployHandler",
    "EnvironmentHandler",
    "GroupsHandler",
    "JobHandler",
    "JobLogHandler",
    "JobsHandler",
    "LockfileHandler",
    "LoginHandler",
    "LogoutHandler",
    "PageHandler",
    "PermissionHandler",
    "PermissionsHandler",
    "PythonSettingsHandler",
    "QuartoSettingsHandler",
    "RenderingPageHandler",
    "RepositoryBundleHandler",
    "RepositoryHandler",
    "RootHandler",
    "ScheduleHandler",
    "SchedulesHandler",
    "ServerSettingsHandler",
    "TagContentHandler",
    "TagHandler",
    "TagsHandler",
    "TaskHandler",
    "UserHandler",
    "UsersHandler",
    "VanitiesHandler",
    "VanityHandler",
    "VanityPathHandler",
    "VariantHandler",
    "VariantRenderHandler",
    "VariantRenderingsHandler",
    "VariantSchedulesHandler",
    "VariantSenderHandler",
    "VariantsHandler",
]
